"""The script normaliser: what the voice says must be the words the captions show."""

from pipelines.tts.text_normalise import int_to_words, normalise, split_sentences, words_of


def test_numbers_money_percent_years():
    said = normalise("Dr. Smith paid $1,234.50 for 3.5 kg, 25% off in 2026.")
    assert said == ("doctor Smith paid one thousand two hundred thirty four dollars and fifty cents for "
                    "three point five kilograms, twenty five percent off in twenty twenty six.")
    assert normalise("$5") == "five dollars"
    assert normalise("$1") == "one dollar"
    assert normalise("It was 1999, then 2005.") == "It was nineteen ninety nine, then two thousand five."
    assert normalise("the 21st and 3rd") == "the twenty first and third"
    assert int_to_words(1_000_001) == "one million one"


def test_abbreviations_do_not_split_sentences_but_end_them_when_last():
    assert split_sentences(normalise("Ask Dr. Who, e.g. today. Then go.")) == [
        "Ask doctor Who, for example today.", "Then go."]
    assert split_sentences(normalise("Bread, milk, etc. See you.")) == ["Bread, milk, et cetera.", "See you."]


def test_emoji_are_dropped_and_words_are_clean():
    said = normalise("I love it 😍🔥👍🏽 so much!")
    assert said == "I love it so much!"
    assert words_of("It's twenty-one, right?") == ["It's", "twenty-one", "right"]
    assert split_sentences(normalise("🎉 ✨")) == []


def test_long_sentences_are_cut():
    long = ", ".join(["one two three four five"] * 40) + "."
    parts = split_sentences(long, max_chars=120)
    assert len(parts) > 1 and all(len(p) <= 120 for p in parts)
    assert sum(len(words_of(p)) for p in parts) == 200


def test_every_engine_refuses_a_script_without_words_the_same_way():
    import pytest

    from pipelines.tts.text_normalise import script_sentences
    from studio.core.errors import BadInput

    assert script_sentences("Hello there. How are you?") == ["Hello there.", "How are you?"]
    with pytest.raises(BadInput, match="nothing to say"):
        script_sentences("🎉 🎉 !!")
