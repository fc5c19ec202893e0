import { digestStoreContract } from "../contracts/digests.contract.js";
import { sqliteStore } from "./sqlite-store.js";

digestStoreContract(sqliteStore);
