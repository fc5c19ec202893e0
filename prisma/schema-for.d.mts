/** Types of prisma/schema-for.mjs. */
export declare const DERIVED: Record<"postgresql", { dir: string; client: string }>;
export declare function schemaFor(source: string, provider: "postgresql"): string;
export declare function writeSchemaFor(provider: "postgresql"): string;
