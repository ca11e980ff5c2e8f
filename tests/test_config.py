"""Countries are configuration: the toc and the runner follow countries.yml."""
import pytest

from analysis import config, run, toc


def test_toc_is_generated_from_countries_yml():
    assert toc.main(["--check"]) == 0
    text = toc.TOC.read_text(encoding="utf-8")
    for c in config.countries():
        assert f"book/countries/{c.iso3}" in text


def test_one_job_per_country_plus_regional():
    names = [j.name for j in run.jobs()]
    assert names == [f"countries/{c}" for c in config.iso3_codes()] + ["regional"]


def test_roles_and_native_names():
    assert config.reference() == "CHN"
    assert config.partners() == ["KAZ", "UZB", "KGZ", "TJK", "TKM"]
    assert config.country("KAZ").native_label.startswith("Қазақстан")
    assert "Kyrgyz Republic".casefold() in config.name_to_iso3()


@pytest.mark.parametrize("bad", ["kaz", "XXX", "__import__('os')", "", "KAZ; rm -rf /"])
def test_country_parameter_must_be_configured(bad):
    with pytest.raises(KeyError, match="not a country of this book"):
        config.country(bad)


def test_template_placeholders_are_plain_text():
    job = run.jobs()[0]
    nb = run.render_template(job)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "{{" not in text and "# Kazakhstan" in text
