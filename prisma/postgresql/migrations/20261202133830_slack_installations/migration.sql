-- CreateTable
CREATE TABLE "SlackInstallation" (
    "teamId" TEXT NOT NULL,
    "enterpriseId" TEXT,
    "appId" TEXT,
    "botId" TEXT,
    "botUserId" TEXT NOT NULL,
    "botTokenSealed" TEXT NOT NULL,
    "botScopes" TEXT NOT NULL,
    "installerUserId" TEXT,
    "installedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SlackInstallation_pkey" PRIMARY KEY ("teamId")
);
