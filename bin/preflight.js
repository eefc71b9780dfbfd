// Loaded before every npm command (`node --import ./bin/preflight.js …`). Plain JavaScript, so it
// runs on any Node: an older Node gets one line instead of ERR_UNKNOWN_FILE_EXTENSION for ".ts".
// Then the .env file, when there is one, without the "not found" line --env-file-if-exists prints.
const requiredMajor = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < requiredMajor) {
  process.stderr.write(
    `This app needs Node.js ${requiredMajor} or later (found ${process.version}): it runs its .ts files directly. See .nvmrc.\n`,
  );
  process.exit(1);
}

try {
  // Variables already in the environment win over the file, as with --env-file.
  process.loadEnvFile('.env');
} catch (error) {
  if (error?.code !== 'ENOENT') throw error;
}
