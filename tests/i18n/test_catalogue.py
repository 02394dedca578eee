"""The English catalogue is complete and in step with the sources: every message the code and templates
mark has English, the English carries no Chinese and the same placeholders, and the compiled .mo the app
reads is the committed .po (`marketplace i18n build` after any change to a marked text)."""

from marketplace import i18n_catalog


def test_every_marked_message_has_its_english_and_the_mo_is_current():
    problems = i18n_catalog.check()
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])


def test_the_check_notices_a_message_without_english(tmp_path, monkeypatch):
    # The check must be able to fail: a catalogue without the footer's English is reported.
    empty = tmp_path / "messages.po"
    empty.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8")
    monkeypatch.setattr(i18n_catalog, "po_path", lambda: empty)
    monkeypatch.setattr(i18n_catalog, "_root", lambda: i18n_catalog.project_root())
    problems = i18n_catalog.check()
    assert any("界面语言" in line for line in problems)
