import { installationStoreContract } from "../contracts/installations.contract.js";
import { sqliteStore } from "./sqlite-store.js";

installationStoreContract(sqliteStore);
