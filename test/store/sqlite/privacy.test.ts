import { privacyStoreContract } from "../contracts/privacy.contract.js";
import { sqliteStore } from "./sqlite-store.js";

privacyStoreContract(sqliteStore);
