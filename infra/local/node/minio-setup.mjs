// Create the app's bucket and point its object-created events at the webhook
// target that minio.sh configured at server start (id LEDGERBOX). Safe to run
// again: both calls are idempotent.
//   S3_ENDPOINT=... S3_BUCKET=... AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node minio-setup.mjs
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const bucket = env("S3_BUCKET");
const s3 = new S3Client({
  endpoint: env("S3_ENDPOINT"),
  region: env("S3_REGION"),
  forcePathStyle: true,
  credentials: { accessKeyId: env("AWS_ACCESS_KEY_ID"), secretAccessKey: env("AWS_SECRET_ACCESS_KEY") },
  maxAttempts: 2,
});

try {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  console.log(`created bucket ${bucket}`);
} catch (err) {
  if (err.name !== "BucketAlreadyOwnedByYou" && err.name !== "BucketAlreadyExists") throw err;
  console.log(`bucket ${bucket} already exists`);
}

// MinIO accepts only queue configurations, with its own ARN form:
// arn:minio:sqs:<region>:<target id>:<target type>. The region part is left
// empty so the ARN does not depend on the server's configured region.
const putNotification = () =>
  s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          { Id: "ledgerbox-object-created", QueueArn: "arn:minio:sqs::LEDGERBOX:webhook", Events: ["s3:ObjectCreated:*"] },
        ],
      },
    }),
  );
// MinIO answers its readiness check before its notification targets are registered: for a moment
// after a start the ARN is refused as unknown (InvalidArgument). Seen when the bucket already
// existed, so this call came at once; the target is there within a second or two.
const deadline = Date.now() + 20_000;
for (;;) {
  try {
    await putNotification();
    break;
  } catch (err) {
    if (err.name !== "InvalidArgument" || Date.now() > deadline) throw err;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
console.log(`notification: ${JSON.stringify(current.QueueConfigurations)}`);
