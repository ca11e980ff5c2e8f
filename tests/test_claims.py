"""Schemas of the papers' ledger: structure only (the papers are not in the repository)."""
import shutil

import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.ledger import claims


@pytest.fixture(autouse=True)
def private_stamp(tmp_path, monkeypatch):
    """These tests validate and break ledger files: they keep their record of
    what passed to themselves, away from the build's."""
    monkeypatch.setattr(claims, "VALIDATED", tmp_path / "ledger-validated")
    claims._CACHE.clear()
    yield
    claims._CACHE.clear()


def test_ledger_files_validate():
    counts = claims.validate_all()
    assert counts["claims"] > 0 and counts["themes"] > 0 and counts["strategies"] > 0 and counts["links"] > 0


def test_claim_ids_unique_and_quotes_short():
    c = claims.claims()
    assert c["claim_id"].is_unique
    assert c["quote"].str.len().max() <= claims.QUOTE_MAX
    assert set(c["country_iso3"]) <= set(claims.LEDGER_COUNTRIES)


def _copy_with(tmp_path, src, edit):
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    edit(df)
    path = tmp_path / src.name
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("column,value,needle", [
    ("country_iso3", "KAZX", '"country_iso3"'),
    ("claim_type", "guess", '"claim_type"'),
    ("source_id", "wiki", '"source_id"'),
    ("value", "lots", "is not a number"),
    ("year", "2019.5", "is not a whole year"),
    ("quote", "x" * 201, "at most 200"),
])
def test_bad_claim_row_names_file_row_column(tmp_path, column, value, needle):
    def edit(df):
        df.loc[4, column] = value
    path = _copy_with(tmp_path, claims.CLAIMS_CSV, edit)
    with pytest.raises(DataError) as err:
        claims.claims(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert "seed_claims.csv: row 6" in msg          # header is row 1, so df row 4 is line 6
    assert f'column "{column}"' in msg
    assert needle in msg


def test_duplicate_claim_id(tmp_path):
    def edit(df):
        df.loc[7, "claim_id"] = df.loc[3, "claim_id"]
    path = _copy_with(tmp_path, claims.CLAIMS_CSV, edit)
    with pytest.raises(DataError, match=r'row \d+, column "claim_id": duplicate value'):
        claims.claims(path)


def test_bad_theme_and_framework(tmp_path):
    path = _copy_with(tmp_path, claims.THEMES_CSV, lambda df: df.__setitem__("framework", df["framework"].where(df.index != 2, "hope")))
    with pytest.raises(DataError, match=r'seed_themes.csv: row 4, column "framework": \'hope\' is not allowed'):
        claims.themes(path)


def test_bad_strategy_year(tmp_path):
    def edit(df):
        df.loc[0, "end_year"] = "twenty"
    path = _copy_with(tmp_path, claims.STRATEGIES_CSV, edit)
    with pytest.raises(DataError, match=r'strategies.csv: row 2, column "end_year"'):
        claims.strategies(path)


def test_missing_column(tmp_path):
    df = pd.read_csv(claims.CLAIMS_CSV, dtype=str).drop(columns=["quote"])
    path = tmp_path / "seed_claims.csv"
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match="missing column"):
        claims.claims(path)


def test_link_to_a_theme_never_used_as_challenge(tmp_path):
    def edit(df):
        df.loc[0, "challenge"] = "political_relations"
    path = _copy_with(tmp_path, claims.LINKS_CSV, edit)
    with pytest.raises(DataError, match=r'theme_links.csv: row 2, column "challenge"'):
        claims.links(path)


def test_audit_command_stops_on_bad_ledger(tmp_path, monkeypatch, capsys):
    from analysis.ledger import audit
    bad = tmp_path / "seed_claims.csv"
    shutil.copy(claims.CLAIMS_CSV, bad)
    text = bad.read_text(encoding="utf-8").replace(",dsr,", ",dxr,", 1)
    bad.write_text(text, encoding="utf-8")
    monkeypatch.setitem(claims.PATHS, "claims", bad)
    assert audit.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'column "source_id"' in err


def _ledger_copy(tmp_path, monkeypatch):
    folder = tmp_path / "ledger"
    folder.mkdir()
    for kind, src in list(claims.PATHS.items()):
        shutil.copy(src, folder / src.name)
        monkeypatch.setitem(claims.PATHS, kind, folder / src.name)
    return folder


def test_ledger_passed_once_is_read_as_validated(tmp_path, monkeypatch):
    _ledger_copy(tmp_path, monkeypatch)
    counts = claims.validate_all()
    assert claims.VALIDATED.read_text() == claims.ledger_digest()
    for kind in claims.PATHS:
        claims._CACHE.clear()
        fast = claims.load(kind)
        assert claims._passed(claims.PATHS[kind])
        claims._CACHE.clear()
        pd.testing.assert_frame_equal(fast, claims.load(kind, revalidate=True))  # same table, same types
        assert len(fast) == counts[kind]


def test_changed_ledger_is_validated_again(tmp_path, monkeypatch):
    folder = _ledger_copy(tmp_path, monkeypatch)
    claims.validate_all()
    bad = folder / claims.CLAIMS_CSV.name
    bad.write_text(bad.read_text(encoding="utf-8").replace(",dsr,", ",dxr,", 1), encoding="utf-8")
    assert not claims._passed(bad)
    with pytest.raises(DataError, match='column "source_id"'):
        claims.claims()
    # a file outside the ledger never counts as validated, whatever its content
    shutil.copy(claims.THEMES_CSV, tmp_path / "seed_themes.csv")
    assert not claims._passed(tmp_path / "seed_themes.csv")


def test_themes_change_revalidates_links(tmp_path, monkeypatch):
    """Links are checked against themes: a themes edit withdraws the links' pass too."""
    folder = _ledger_copy(tmp_path, monkeypatch)
    claims.validate_all()
    themes = folder / claims.THEMES_CSV.name
    themes.write_text(themes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not claims._passed(claims.PATHS["links"])


def test_failed_validation_withdraws_the_pass(tmp_path, monkeypatch):
    folder = _ledger_copy(tmp_path, monkeypatch)
    claims.validate_all()
    bad = folder / claims.STRATEGIES_CSV.name
    bad.write_text(bad.read_text(encoding="utf-8").replace(",dsr,", ",dxr,", 1), encoding="utf-8")
    with pytest.raises(DataError):
        claims.validate_all()
    assert not claims.VALIDATED.exists()


def test_validate_all_skips_only_what_passed(tmp_path, monkeypatch):
    _ledger_copy(tmp_path, monkeypatch)
    first = claims.validate_all()
    calls = []
    real = claims.validate
    monkeypatch.setattr(claims, "validate", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    claims._CACHE.clear()
    assert claims.validate_all() == first and calls == []        # same bytes: nothing to validate
    assert claims.validate_all(force=True) == first and len(calls) == len(claims.PATHS)
