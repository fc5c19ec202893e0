import { communityStoreContract } from "../contracts/communities.contract.js";
import { postgresStore } from "./postgres-store.js";

communityStoreContract(postgresStore);
