import { installationStoreContract } from "../contracts/installations.contract.js";
import { postgresStore } from "./postgres-store.js";

installationStoreContract(postgresStore);
