import { privacyStoreContract } from "../contracts/privacy.contract.js";
import { postgresStore } from "./postgres-store.js";

privacyStoreContract(postgresStore);
