-- CreateTable
CREATE TABLE "GatewayIdentify" (
    "bucket" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "identifiedAt" DATETIME NOT NULL
);
