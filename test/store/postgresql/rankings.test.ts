import { rankingStoreContract } from "../contracts/rankings.contract.js";
import { postgresStore } from "./postgres-store.js";

rankingStoreContract(postgresStore);
