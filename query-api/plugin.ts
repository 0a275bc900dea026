import type { FastifyPluginAsync } from "fastify";
import type { QueryContext } from "./context.ts";
import { adminRoutes } from "./routes/admin.ts";
import { changeRoutes } from "./routes/changes.ts";
import { fileRoutes } from "./routes/files.ts";
import { pushGatewayRoutes } from "./routes/push-gateway.ts";
import { stateRoutes } from "./routes/state.ts";
import { uploadStatusRoutes } from "./routes/uploads.ts";

/** The read side: answers only from read models (and presigns URLs); never touches the log. */
export const queryApi: FastifyPluginAsync<{ context: QueryContext; pushGateway: boolean }> = async (
  app,
  { context, pushGateway },
) => {
  await app.register(changeRoutes, { context });
  await app.register(fileRoutes, { context });
  await app.register(stateRoutes, { context });
  await app.register(uploadStatusRoutes, { context });
  await app.register(adminRoutes, { context });
  if (pushGateway) await app.register(pushGatewayRoutes, { context });
};
