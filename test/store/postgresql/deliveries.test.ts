import { deliveryStoreContract } from "../contracts/deliveries.contract.js";
import { postgresStore } from "./postgres-store.js";

deliveryStoreContract(postgresStore);
