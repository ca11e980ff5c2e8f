"""Countries are configuration: the toc and the runner follow countries.yml."""
import pytest
import yaml

from analysis import config
from analysis.book import notebooks
from analysis.paths import COUNTRIES_YML, INDICATORS_YML, TOPICS_YML
from analysis.report import toc


def test_toc_is_generated_from_countries_yml():
    assert toc.main(["--check"]) == 0
    text = toc.TOC.read_text(encoding="utf-8")
    for c in config.countries():
        assert f"book/countries/{c.iso3}" in text


def test_one_job_per_country_plus_regional():
    names = [j.name for j in notebooks.jobs()]
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
    job = notebooks.jobs()[0]
    nb = notebooks.render_template(job)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "{{" not in text and "# Kazakhstan" in text


# ------------------------------------------------------------------ schemas
def _mutated(tmp_path, source, change):
    """A copy of a configuration file with one change applied to its parsed YAML."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _set(key, value, entry=1):
    return lambda d: d["countries"][entry].__setitem__(key, value)


@pytest.mark.parametrize("change, message", [
    (_set("role", "ally"), "countries.yml: countries, entry 2 (UZB), role: Input should be 'partner' or "
                           "'reference' (got 'ally')"),
    (_set("iso3", "uzb"), "countries.yml: countries, entry 2 (uzb), iso3: String should match pattern"),
    (_set("iso3", False), "countries.yml: countries, entry 2, iso3: Input should be a valid string (got False)"),
    (_set("capital", "Tashkent"), "countries.yml: countries, entry 2 (UZB), capital: Extra inputs are not permitted"),
    (_set("iso3", "KAZ"), "countries.yml: duplicate iso3 codes: KAZ"),
    (_set("role", "reference"), "countries.yml: exactly one country must have role: reference (found 2)"),
    (lambda d: d["countries"][0].pop("name"), "countries.yml: countries, entry 1 (KAZ), name: Field required"),
    (lambda d: d["countries"][0]["native_names"][0].__setitem__("lang", "Kazakh"),
     "countries.yml: countries, entry 1 (KAZ), native_names, entry 1, lang: String should match pattern"),
])
def test_countries_file_is_validated_with_one_line_naming_entry_and_field(tmp_path, change, message):
    path = _mutated(tmp_path, COUNTRIES_YML, change)
    with pytest.raises(config.ConfigError) as e:
        config.validated(path, config.CountriesFile)
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["indicators"]["IT.NET.USER.ZS"].__setitem__("unit", "pct"),
     "indicators.yml: indicator IT.NET.USER.ZS: unit 'pct' is not one of the units (percent, "),
    (lambda d: d["indicators"]["IT.NET.USER.ZS"].__setitem__("decimals", "1"),
     "indicators.yml: indicators, IT.NET.USER.ZS, decimals: Input should be a valid integer (got '1')"),
    (lambda d: d["indicators"]["IT.NET.USER.ZS"].__setitem__("higher_is_better", "yes"),
     "indicators.yml: indicators, IT.NET.USER.ZS, higher_is_better: Input should be a valid boolean (got 'yes')"),
    (lambda d: d["units"]["percent"].pop("max"), "indicators.yml: units, percent, max: Field required"),
])
def test_indicators_file_is_validated(tmp_path, change, message):
    path = _mutated(tmp_path, INDICATORS_YML, change)
    with pytest.raises(config.ConfigError) as e:
        config.validated(path, config.IndicatorsFile)
    assert str(e.value).startswith(message), str(e.value)


def test_topics_file_is_validated(tmp_path):
    path = _mutated(tmp_path, TOPICS_YML, lambda d: d["topics"][1]["prefixes"].append("IT"))
    with pytest.raises(config.ConfigError, match=r"^topics.yml: prefix 'IT' is in two topics \(ict, egov\)"):
        config.validated(path, config.TopicsFile)


def test_the_book_s_configuration_follows_its_schemas():
    for path, model in [(COUNTRIES_YML, config.CountriesFile), (INDICATORS_YML, config.IndicatorsFile),
                        (TOPICS_YML, config.TopicsFile)]:
        config.validated(path, model)
