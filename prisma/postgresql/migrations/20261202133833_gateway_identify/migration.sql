-- CreateTable
CREATE TABLE "GatewayIdentify" (
    "bucket" INTEGER NOT NULL,
    "identifiedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GatewayIdentify_pkey" PRIMARY KEY ("bucket")
);
