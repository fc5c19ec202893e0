import { deliveryStoreContract } from "../contracts/deliveries.contract.js";
import { sqliteStore } from "./sqlite-store.js";

deliveryStoreContract(sqliteStore);
