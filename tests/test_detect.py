"""Behaviour of the in-document detectors, one user-visible case a test."""
import dedup
from dedup.detect.rules import RuleError, load_rules

import pytest

PARAGRAPH = ("The river rose by two metres overnight and flooded the lower town, "
             "where shops stayed closed all day.")


def test_exact_copy_of_a_long_paragraph_is_removed_and_first_kept():
    text = f"Flood news\n\n{PARAGRAPH}\n\nOther words here for the story.\n\n{PARAGRAPH}\n"
    result = dedup.clean_and_explain(text)
    assert result.text.count(PARAGRAPH) == 1
    assert result.text.index(PARAGRAPH) == text.index(PARAGRAPH)
    assert [r.reason for r in result.removals if r.reason != "blank"] == ["repeated_block"]


def test_caption_copy_with_marker_is_removed_even_before_its_paragraph():
    sentence = "The river rose by two metres overnight and flooded the lower town."
    text = (f"Flood news\n\n{sentence} (file photo)\n\n{sentence} Shops stayed closed "
            "all day and the mayor asked people to stay at home.\n")
    cleaned = dedup.clean(text)
    assert "(file photo)" not in cleaned
    assert "Shops stayed closed" in cleaned


def test_caption_with_tokenisation_noise_still_matches():
    text = ("Army news\n\nThe devices by the firm, which has worked closely with China's "
            "military, were put up along the route.\n\nThe devices by the firm, which has "
            "worked closely with China 's military, were put up along the route (file photo)\n")
    result = dedup.clean_and_explain(text)
    assert "China 's" not in result.text
    assert [r.reason for r in result.removals if r.reason != "blank"] == ["caption_copy"]


def test_short_refrain_and_dialogue_lines_are_kept():
    text = ("Protest in the square\n\nProtesters chanted:\nNo justice, no peace\n"
            "Stand up, fight back\nNo justice, no peace\n\nQ: Did you know him?\nA: Yes.\n"
            "Q: Were you there?\nA: Yes.\n")
    assert dedup.clean(text) == text


def test_template_lines_with_different_values_are_kept():
    text = ("Fire report\n\n"
            "A 29-year-old man from Springfield was treated at the scene for minor injuries, "
            "according to the fire department.\n"
            "A 44-year-old woman from Madison was treated at the scene for minor injuries, "
            "according to the fire department.\n"
            "Officials said the 11th annual fair in Georgetown drew a record crowd despite the rain.\n"
            "Officials said the 32th annual fair in Salem drew a record crowd despite the rain.\n")
    assert dedup.clean(text) == text


def test_longer_paragraph_quoting_an_earlier_one_is_kept():
    quote = "The council voted on Tuesday to approve the new bridge across the river."
    text = (f"Bridge\n\n{quote}\n\nLater, a spokesperson repeated the key point: \"{quote}\" "
            "No further comment was made.\n")
    assert dedup.clean(text) == text


def test_title_variants_lose_their_site_names():
    text = ("Storm closes every school in the county - Valley Courier\n"
            "Storm closes every school in the county | Valley Courier Online\n"
            "Storm closes every school in the county hot right now\n\n"
            "All schools closed on Monday because of the storm.\n")
    cleaned = dedup.clean(text)
    assert cleaned.startswith("Storm closes every school in the county\n\nAll schools")
    assert "hot right now" not in cleaned
    assert "Valley Courier" not in cleaned


def test_navigation_line_above_the_headline_does_not_hide_the_title_copies():
    title = "Multimillion-dollar jazz centre opens at the edge of the old town"
    text = f"News Sports Business\n{title}\n{title}\n\nThe centre opened on Thursday.\n"
    assert dedup.clean(text).count(title) == 1


def test_refrain_near_the_top_is_not_taken_for_a_title():
    text = "Evening song\nRain on the rooftops, wind in the pines\nRemember the morning we sang\n" \
           "Rain on the rooftops, wind in the pines\n"
    assert dedup.clean(text) == text


def test_trailing_teaser_and_read_more_lines_are_removed():
    text = (f"Flood news\n\n{PARAGRAPH}\n\nRead more from The Valley Courier...\n\n"
            "Up next: Ten ways to keep your basement dry | Valley Courier\n")
    cleaned = dedup.clean(text)
    assert cleaned == f"Flood news\n\n{PARAGRAPH}\n"


def test_next_inside_the_body_is_not_a_teaser():
    text = ("Recipe\n\nNext, add the flour and stir for two minutes.\n\n" + PARAGRAPH + "\n\n"
            "Next year the council will vote again on the plan.\n")
    assert dedup.clean(text) == text


def test_teaser_leads_in_other_languages_are_found():
    text = f"Hochwasser\n\n{PARAGRAPH}\n\nLesen Sie auch: Zehn Tipps gegen nasse Keller\n"
    assert "Lesen Sie auch" not in dedup.clean(text)


def test_cjk_lines_are_compared_by_characters():
    para = "今年夏天，河水上涨了两米，淹没了下城区，商店全天关闭，居民被要求留在家中。"
    other = "市长说，救援人员已经在现场工作了十二个小时，预计明天水位会下降。"
    text = f"洪水新闻\n\n{para}\n\n{other}\n\n{para}\n"
    cleaned = dedup.clean(text)
    assert cleaned.count(para) == 1 and other in cleaned
    distinct = "洪水新闻\n\n第一行完全不同的中文内容。\n\n第二行也是完全不同的句子。\n"
    assert dedup.clean(distinct) == distinct


def test_markdown_code_tables_and_repeated_headings_are_never_removed():
    text = ("# Guide\n\n## Example\n\n```\nrepeat me please, this line is long enough to count\n"
            "repeat me please, this line is long enough to count\n```\n\n## Example\n\n"
            "| a | b |\n|---|---|\n| the same long row of a table that repeats | 1 |\n"
            "| the same long row of a table that repeats | 1 |\n")
    assert dedup.clean(text) == text


def test_user_rule_removes_matching_lines(tmp_path):
    rules = tmp_path / "rules.txt"
    rules.write_text("# site chrome\n^Subscribe to\n", encoding="utf-8")
    text = f"Flood news\n\n{PARAGRAPH}\n\nSubscribe to our newsletter\n"
    result = dedup.clean_and_explain(text, rules=load_rules(str(rules)))
    assert "Subscribe" not in result.text
    assert any(r.reason == "user_rule" and r.rule.endswith(":2") for r in result.removals)


def test_catastrophic_user_rule_is_stopped_by_the_timeout(tmp_path):
    rules = tmp_path / "rules.txt"
    rules.write_text("^(a|aa)+$\n", encoding="utf-8")
    text = "Title line here\n\n" + "a" * 40 + "!\n"
    with pytest.raises(RuleError, match="ran longer than"):
        dedup.clean(text, rules=load_rules(str(rules)), rule_timeout=0.05)


def test_rule_that_does_not_compile_names_file_and_line(tmp_path):
    rules = tmp_path / "rules.txt"
    rules.write_text("ok\n(unclosed\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"rules.txt:2"):
        load_rules(str(rules))


def test_crlf_and_bom_survive():
    text = "\ufeffTitle of the page\r\nTitle of the page\r\n\r\n" + PARAGRAPH + "\r\n"
    cleaned = dedup.clean(text)
    assert cleaned == "\ufeffTitle of the page\r\n\r\n" + PARAGRAPH + "\r\n"


def test_missing_final_newline_stays_missing():
    text = f"Flood news\n\n{PARAGRAPH}\n\n{PARAGRAPH}"
    assert dedup.clean(text) == f"Flood news\n\n{PARAGRAPH}"


def test_empty_and_blank_input():
    assert dedup.clean("") == ""
    assert dedup.clean("\n\n  \n") == "\n\n  \n"


def test_options_override_config():
    text = f"Flood news\n\n{PARAGRAPH}\n\n{PARAGRAPH}\n"
    assert dedup.clean(text, long_block_chars=10_000) == text


def test_navigation_siblings_and_lines_that_share_a_phrase_are_kept():
    text = ("Neue Präsidentin gewählt\n\nCaritas international\nSpenden für Caritas international\n\n"
            "Eva Welskop-Deffaa ist zur neuen Präsidentin des Deutschen Caritasverbandes gewählt "
            "worden.\n\nPressestelle des Deutschen Caritasverbandes\n")
    assert dedup.clean(text) == text


def test_a_longer_line_that_adds_a_sentence_is_not_a_decorated_copy():
    text = ("Schmierfett\n\nGeeignet für alle PKW, LKW, Motorrad, Quad, Fahrrad, Maschinen\n\n"
            "Geeignet für alle PKW, LKW, Motorrad, Quad, Fahrrad, Maschinen. Kompensiert bis zu "
            "50% Verschleiß.\n")
    assert dedup.clean(text) == text


def test_a_url_slug_never_swallows_the_headline():
    text = ("Menu\n\nhttps://example.org/news/2022/tras-una-semana-de-acoso-a-la-prensa-el-presidente-exige\n\n"
            "Tras una semana de acoso a la prensa, el presidente exige a periodistas: váyanse\n")
    assert "Tras una semana de acoso" in dedup.clean(text)


def test_caption_marker_must_be_set_off_from_the_copied_text():
    text = ("Notifications\n\nAktiviere die Desktop Benachrichtigungen für neue Angebote heute!\n\n"
            "Desktop Benachrichtigungen für neue Angebote abonniert!\n")
    assert dedup.clean(text) == text


def test_a_heading_that_goes_on_from_the_title_is_not_a_title_copy():
    text = ("Ten things to know about the new tax law\n"
            "Ten things to know about the new tax law for families\n"
            "The law changes many rules for households, from deductions to credits.\n"
            "Ten things to know about the new tax law | Daily Site\n")
    assert dedup.clean(text) == "\n".join(text.split("\n")[:3]) + "\n"
