import { digestStoreContract } from "../contracts/digests.contract.js";
import { postgresStore } from "./postgres-store.js";

digestStoreContract(postgresStore);
