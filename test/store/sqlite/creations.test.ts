import { creationStoreContract } from "../contracts/creations.contract.js";
import { sqliteStore } from "./sqlite-store.js";

creationStoreContract(sqliteStore);
