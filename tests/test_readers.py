"""Finding input files: links to folders are followed, each real folder once."""

from pathlib import Path

from pipelines.importers import sources_found
from pipelines.readers import files_under


def test_files_under_follows_linked_folders_once(tmp_path: Path) -> None:
    inputs, elsewhere = tmp_path / "inputs", tmp_path / "elsewhere"
    (inputs / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    for path in (inputs / "a.csv", inputs / "sub" / "b.csv.gz", inputs / "notes.txt", elsewhere / "c.csv"):
        path.write_text("x", encoding="utf-8")
    (inputs / "linked").symlink_to(elsewhere, target_is_directory=True)
    (inputs / "sub" / "loop").symlink_to(inputs, target_is_directory=True)  # a link back up the tree
    found = [path.relative_to(inputs).as_posix() for path in files_under(inputs, "*.csv*")]
    assert found == ["a.csv", "linked/c.csv", "sub/b.csv.gz"]


def test_a_postings_folder_linked_into_the_inputs_is_found(tmp_path: Path, inputs: Path) -> None:
    (tmp_path / "postings").mkdir()
    (tmp_path / "postings" / "eures").symlink_to(inputs / "postings/eures_2025_sample", target_is_directory=True)
    found = [(fmt.name, path.name) for fmt, path in sources_found(tmp_path, "postings")]
    assert ("eures", "european_jobs_batch2_original_language.csv.gz") in found
