/**
 * Slack's {@link Publisher}: each call goes to the publisher of the community's workspace, with that workspace's token
 * (slack-workspaces.ts). A status message needs no token while its response URL lasts: one of a workspace that is no
 * longer installed (its queued creations failed at the uninstall) still reaches the member through that URL.
 */
import type { JobStatus, Publisher } from "../core/ports.js";
import type { Community } from "../core/types.js";
import type { SlackStatusRef } from "./slack-status.js";
import type { SlackWorkspace, SlackWorkspacePublisher, SlackWorkspaces } from "./slack-workspaces.js";

export class SlackPublisher implements Publisher {
  readonly platform = "slack" as const;

  constructor(
    private readonly workspaces: SlackWorkspaces,
    /** Writes status messages of workspaces without a token (response URLs only). */
    private readonly tokenless: () => SlackWorkspace,
  ) {}

  private async of(community: Community): Promise<SlackWorkspacePublisher> {
    return (await this.workspaces.forTeam(community.externalId)).publisher;
  }

  async postCreation(input: Parameters<Publisher["postCreation"]>[0]) {
    return (await this.of(input.community)).postCreation(input);
  }

  async findCreationPost(input: Parameters<Publisher["findCreationPost"]>[0]) {
    return (await this.of(input.community)).findCreationPost(input);
  }

  async deletePost(community: Community, channelId: string, messageId: string) {
    return (await this.of(community)).deletePost(community, channelId, messageId);
  }

  async postDigest(input: Parameters<Publisher["postDigest"]>[0]) {
    return (await this.of(input.community)).postDigest(input);
  }

  async editDigest(input: Parameters<Publisher["editDigest"]>[0]) {
    return (await this.of(input.community)).editDigest(input);
  }

  async findDigestPost(input: Parameters<Publisher["findDigestPost"]>[0]) {
    return (await this.of(input.community)).findDigestPost(input);
  }

  async fetchReactions(community: Community, channelId: string, messageId: string) {
    return (await this.of(community)).fetchReactions(community, channelId, messageId);
  }

  async checkChannel(community: Community, channelId: string) {
    return (await this.of(community)).checkChannel(community, channelId);
  }

  async updateStatus(statusRef: string, status: JobStatus): Promise<void> {
    const { teamId } = JSON.parse(statusRef) as SlackStatusRef;
    // Refs from before many workspaces carry no team: they come from single-workspace mode, where any team id will do.
    const workspace = await this.workspaces.forTeam(teamId ?? "").catch(() => this.tokenless());
    await workspace.publisher.updateStatus(statusRef, status);
  }
}
