-- CreateTable
CREATE TABLE "SlackInstallation" (
    "teamId" TEXT NOT NULL PRIMARY KEY,
    "enterpriseId" TEXT,
    "appId" TEXT,
    "botId" TEXT,
    "botUserId" TEXT NOT NULL,
    "botTokenSealed" TEXT NOT NULL,
    "botScopes" TEXT NOT NULL,
    "installerUserId" TEXT,
    "installedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
