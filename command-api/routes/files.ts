import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ErrorBody, errorResponses } from "../../infra/ports/index.ts";
import { type CommandContext, metadataFor } from "../context.ts";
import { deleteFile } from "../files/delete.ts";
import { moveFile } from "../files/move.ts";
import { restoreFile } from "../files/restore.ts";
import { DeleteFileBody, FileAnswer, MoveFileBody, RestoreFileBody } from "../schemas.ts";

const responses = { 200: FileAnswer, 404: ErrorBody, 409: ErrorBody, ...errorResponses };

export const fileRoutes: FastifyPluginAsyncTypebox<{ context: CommandContext }> = async (app, { context }) => {
  // Commands take JSON only. Fastify also parses text/plain by default, which turned a JSON body sent
  // as text into a string and a confusing 400 ("must be object"); without the parser it is a 415.
  app.removeContentTypeParser("text/plain");
  app.post(
    "/v1/files/delete",
    {
      schema: {
        tags: ["files"],
        summary: "Delete a file (409 if baseRevision is stale)",
        body: DeleteFileBody,
        response: responses,
      },
    },
    async (request) => deleteFile(context, metadataFor(request.ctx, context.clock()), request.body),
  );
  app.post(
    "/v1/files/move",
    {
      schema: { tags: ["files"], summary: "Move or rename a file, keeping its fileId", body: MoveFileBody, response: responses },
    },
    async (request) => moveFile(context, metadataFor(request.ctx, context.clock()), request.body),
  );
  app.post(
    "/v1/files/restore",
    {
      schema: {
        tags: ["files"],
        summary: "Make an earlier revision the newest again",
        body: RestoreFileBody,
        response: responses,
      },
    },
    async (request) => restoreFile(context, metadataFor(request.ctx, context.clock()), request.body),
  );
};
