package dev.carrot.data.hf;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Hub repository: an {@code "org/name"} id and its type.
 *
 * <p>The id follows the Hub's rules (as {@code huggingface_hub.utils._validators.validate_repo_id}): an
 * organisation or user and a name, separated by one {@code '/'}, each made of letters, digits, {@code '-'},
 * {@code '_'} and {@code '.'}, starting and ending with a letter or digit, with no {@code "--"} or {@code ".."}.
 *
 * @param id   the repository id, for example {@code "CARROT-LLM-Routing/SPROUT"}
 * @param type dataset or model
 */
public record HfRepo(String id, RepoType type) {

    private static final Pattern PART = Pattern.compile("\\b[\\w\\-.]{1,96}\\b");

    public HfRepo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        String[] parts = id.split("/", -1);
        if (parts.length != 2 || !PART.matcher(parts[0]).matches() || !PART.matcher(parts[1]).matches()
                || id.contains("--") || id.contains("..") || id.endsWith(".git")) {
            throw new IllegalArgumentException("repo id '" + id + "' is not of the form 'org/name' (expected letters,"
                    + " digits, '-', '_' and '.', starting and ending with a letter or digit, no '--' or '..',"
                    + " for example 'CARROT-LLM-Routing/SPROUT')");
        }
    }

    /** A dataset repository, for example {@code HfRepo.dataset("CARROT-LLM-Routing/SPROUT")}. */
    public static HfRepo dataset(String id) {
        return new HfRepo(id, RepoType.DATASET);
    }

    /** A model repository, for example {@code HfRepo.model("sentence-transformers/all-MiniLM-L6-v2")}. */
    public static HfRepo model(String id) {
        return new HfRepo(id, RepoType.MODEL);
    }

    /** The cache folder name, as {@code huggingface_hub.file_download.repo_folder_name}: {@code datasets--org--name}. */
    public String cacheFolderName() {
        return type.plural() + "--" + id.replace("/", "--");
    }

    /** {@code "datasets/org/name"} or {@code "models/org/name"}: how error messages name the repository. */
    public String displayName() {
        return type.plural() + "/" + id;
    }
}
