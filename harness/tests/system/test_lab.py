"""`hil kits` and `hil flash` on a host without a board: the kit files, the probe listing through
libserialport (none attached here), and flashing with Debian's OpenOCD, which has no KitProg3
support — refused with the reason and the way out, never a hang or a silent pass."""
import json
import pathlib

from conftest import SOURCE_DIR

KITS = ["CY8CEVAL-062S2-LAI-4373M2", "CY8CKIT-062S2-43012", "CY8CPROTO-062-4343W"]


def test_kits_lists_the_kit_files_and_no_probe_here(hil):
    r = hil("kits", "--json")
    assert r.code == 0, r.stderr
    listing = json.loads(r.stdout)
    assert [k["name"] for k in listing["kits"]] == KITS
    assert all(k["device"] == "CY8C624ABZI-S2D44" and k["attached"] == [] for k in listing["kits"])
    assert pathlib.Path(listing["kits_dir"]).resolve() == (SOURCE_DIR / "fixtures" / "kits").resolve()


def test_flash_with_debians_openocd_names_the_openocd_it_needs(hil, tmp_path):
    image = tmp_path / "app.hex"
    image.write_text(":020000040000FA\n:00000001FF\n")
    log = tmp_path / "openocd.log"
    r = hil("flash", "--kit", "CY8CPROTO-062-4343W", "--image", image, "--log", log, timeout=60)
    assert r.code == 3, r.stdout + r.stderr
    assert "config-not-found" in r.stderr and "Infineon's OpenOCD" in r.stderr
    assert "kitprog3.cfg" in log.read_text()  # OpenOCD's own words are kept


def test_flash_with_an_openocd_that_is_not_there_is_an_infrastructure_error(hil, tmp_path):
    image = tmp_path / "app.hex"
    image.write_text(":00000001FF\n")
    r = hil("flash", "--kit", "CY8CPROTO-062-4343W", "--image", image, "--openocd", tmp_path / "no-openocd")
    assert r.code == 3, r.stdout + r.stderr
    assert "no-openocd" in r.stderr


def test_bad_flash_input_is_a_usage_error_before_openocd_runs(hil, tmp_path):
    image = tmp_path / "app.hex"
    image.write_text(":00000001FF\n")
    r = hil("flash", "--kit", "CY8CPROTO-062-4343", "--image", image)
    assert r.code == 2 and "did you mean 'CY8CPROTO-062-4343W'" in r.stderr, r.stderr
    r = hil("flash", "--kit", "CY8CPROTO-062-4343W", "--image", tmp_path / "missing.hex")
    assert r.code == 2 and "missing.hex: no such file" in r.stderr, r.stderr
    assert "hil flash:" not in r.stdout  # nothing was started
    odd = tmp_path / "app[1].hex"
    odd.write_text(":00000001FF\n")
    r = hil("flash", "--kit", "CY8CPROTO-062-4343W", "--image", odd)
    assert r.code == 2 and "[" in r.stderr, r.stderr
