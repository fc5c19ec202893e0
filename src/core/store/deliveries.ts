/**
 * The deliveries port: the inbound events already handled, by key, so that a platform's redelivery (Slack's retries,
 * an event resent under a new id) is acted on once.
 */
export interface DeliveryStore {
  /**
   * Records deliveries by their keys (event id, natural key). True the first time any of them is seen; false when
   * one was seen before (and then none of them is recorded anew), so a replayed or re-identified event is handled
   * once. Of two callers racing with one key, one gets true.
   */
  firstDelivery(keys: string[], now: Date): Promise<boolean>;
  /** Un-records deliveries whose handling failed, so a redelivery is handled. */
  releaseDelivery(keys: string[]): Promise<void>;
  /** Forgets deliveries recorded before `before`. Returns how many. */
  pruneDeliveries(before: Date): Promise<number>;
}
