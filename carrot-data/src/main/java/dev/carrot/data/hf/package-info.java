/**
 * A HuggingFace Hub client that downloads repository snapshots into the cache layout of the Python
 * {@code huggingface_hub} library, so a cache filled by Python is reused here and the other way round.
 *
 * <p>Entry point: {@link dev.carrot.data.hf.HfHub}, configured by {@link dev.carrot.data.hf.HfConfig}
 * (usually {@link dev.carrot.data.hf.HfConfig#fromEnvironment()}):
 *
 * <pre>{@code
 * HfHub hub = new HfHub(HfConfig.fromEnvironment());
 * HfSnapshot snapshot = hub.download(HfRepo.dataset("CARROT-LLM-Routing/SPROUT"), "main",
 *         List.of("data/train-*.parquet"));
 * for (HfFile file : snapshot.files()) {
 *     read(file.localPath());
 * }
 * }</pre>
 *
 * <p>Cache layout (identical to {@code huggingface_hub}'s {@code file_download.py}):
 *
 * <pre>
 * {hubCache}/datasets--{org}--{name}/
 *     blobs/{etag}                       file contents; etag = LFS sha256, or the git blob id for non-LFS files
 *     blobs/{etag}.incomplete            a download in progress (resumed with an HTTP Range request)
 *     refs/{revision}                    the commit a branch or tag pointed to when last resolved
 *     snapshots/{commit}/{path}          relative symlink to ../../blobs/{etag} (one more ".." per folder level)
 * {hubCache}/.locks/datasets--{org}--{name}/{etag}.lock
 * </pre>
 */
package dev.carrot.data.hf;
