import { creationStoreContract } from "../contracts/creations.contract.js";
import { postgresStore } from "./postgres-store.js";

creationStoreContract(postgresStore);
