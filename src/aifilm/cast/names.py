"""Common given names by sex: a modest curated table, English and Indian.

Only names that are given overwhelmingly to one sex are listed; names used for
both (Alex, Sam, Jordan, Robin, Kiran, ...) are left out on purpose, so a name
found here is real evidence. Other languages: the honorifics of `lexicon` only.
"""

from __future__ import annotations

from typing import Literal

_ENGLISH_FEMALE = """
abigail ada agnes alice alison amanda amelia amy angela ann anna anne annie audrey barbara
beatrice becky bella beth betty beverly bonnie brenda bridget carol caroline carrie
catherine charlotte cheryl chloe christina christine clara claire cynthia daisy deborah
debra denise diana diane donna doris dorothy edith eleanor elizabeth ella ellen emily emma
esther evelyn fiona florence frances gloria grace hannah harriet heather helen irene isabel
isabella jane janet janice jean jennifer jessica jill joan joanna josephine joy joyce judith
judy julia julie karen kate katherine kathleen kathy kelly laura lauren linda lisa liz lois
lucy lydia madeline maggie margaret maria marie marilyn martha mary megan melissa michelle
mildred molly nancy natalie nicole olivia pamela patricia paula peggy penelope penny
rachel rebecca rita rose rosemary ruth sally samantha sandra sarah sharon shirley sophia
sophie stephanie susan sylvia teresa theresa tina valerie victoria violet virginia wendy
zoe elsie mabel martha gertrude hazel ivy lily ruby stella vera wilma ethel greta
"""
_ENGLISH_MALE = """
aaron adam alan albert alexander alfred andrew anthony arthur barry ben benjamin bernard
bill billy bob bobby brian bruce carl charles charlie christopher colin craig dan daniel
david dennis derek dick donald doug douglas duncan earl edgar edward edwin eric ernest
eugene frank fred frederick gary geoffrey george gerald gordon graham greg gregory harold
harry henry herbert howard hugh ian jack jacob jake james jason jeff jeffrey jeremy jerry
jim jimmy joe john johnny jonathan joseph joshua keith ken kenneth kevin larry lawrence
leonard leo lewis louis luke malcolm mark martin matthew michael mike neil nicholas nick
norman oliver oscar patrick paul peter philip phil ralph raymond richard robert roger
ronald roy russell ryan samuel scott sean simon stanley stephen steve steven stuart
ted thomas tim timothy todd tom tony victor vincent walter wayne william will willie
edward eddie ed fred freddie hank ned otto rupert walt wilbur bert ernie gus harvey
"""
_INDIAN_FEMALE = """
aarti aishwarya amrita ananya anita anjali anushka aparna archana asha bhavna chitra
deepa deepika devika divya durga gauri geeta gita indira isha jaya jyoti kajal kalpana
kamala kavita kavya lakshmi lata leela madhu mala malini mamta meena meera mira nandini
neha nisha padma pallavi parvati pooja priya priyanka radha radhika rani rekha renu
riya rohini roshni ruchi rukmini sadhana sangeeta sarita saraswati savitri seema shanti
sheela shilpa shobha shreya shweta sita sneha sonali sudha sujata sunita sushma swati
tara uma usha vandana vidya yamuna zara ayesha fatima nasreen parveen shabana sakina
"""
_INDIAN_MALE = """
aakash abhishek aditya ajay akash akshay amar amit anand anil ankit arjun arun ashok
deepak dev dinesh ganesh gopal govind hari harish jagdish kamal karan krishna kumar
lakshman mahesh manish manoj mohan mukesh naresh naveen nikhil pankaj prakash pramod
prasad rahul raj rajesh rajiv raju rakesh ram ramesh ravi rohan rohit sachin sanjay
santosh satish shankar shiva shyam siddharth sunil suresh tushar vijay vikas vikram
vinod vishal vivek yash abdul ahmed ali farhan imran irfan javed salman shahid arvind
balu chandran gopi murali raghav ranjit venkat
"""

# Other languages: only names that are firmly one sex there, checked before the tables above
# (French "Jean" is a man, English "Jean" a woman). Italian "Andrea" is left out on purpose.
_BY_LANGUAGE = {
    "es": (
        "maría maria carmen lucía lucia sofía isabel elena marta pilar rosa dolores teresa "
        "josefa paula alba beatriz cristina",
        "josé jose juan antonio carlos miguel javier pablo diego luis manuel pedro jorge "
        "francisco alejandro fernando rafael sergio",
    ),
    "fr": (
        "marie sophie camille chloé léa manon juliette élise amélie brigitte nathalie "
        "isabelle céline monique françoise",
        "jean pierre jacques michel philippe nicolas françois louis antoine thomas olivier "
        "alain bernard henri julien",
    ),
    "de": (
        "anna ursula helga greta heidi ingrid sabine petra monika katrin gisela brigitte",
        "hans klaus jürgen wolfgang dieter stefan günter friedrich karl heinz uwe fritz",
    ),
    "it": (
        "giulia francesca chiara giovanna rosa lucia alessandra valentina federica elisa paola",
        "giuseppe giovanni marco luca matteo alessandro francesco antonio lorenzo paolo "
        "roberto stefano",
    ),
    "pt": (
        "maria ana joana beatriz mariana inês ines francisca rita fernanda luísa",
        "joão joao josé jose antónio antonio pedro paulo tiago miguel rui carlos",
    ),
}

Sex = Literal["female", "male"]


def _table(**lists: str) -> dict[str, Sex]:
    out: dict[str, Sex] = {}
    for sex, text in lists.items():
        for name in text.split():
            out[name] = "female" if sex.endswith("female") else "male"
    return out


GIVEN_NAMES: dict[str, Sex] = _table(
    en_female=_ENGLISH_FEMALE,
    en_male=_ENGLISH_MALE,
    in_female=_INDIAN_FEMALE,
    in_male=_INDIAN_MALE,
)


LANGUAGE_NAMES: dict[str, dict[str, Sex]] = {
    code: _table(female=female, male=male) for code, (female, male) in _BY_LANGUAGE.items()
}


def sex_of_given_name(word: str, language: str = "en") -> Sex | None:
    """'female' or 'male' for a common given name (any case) in the language, else None."""
    key = word.casefold()
    return LANGUAGE_NAMES.get(language, {}).get(key) or GIVEN_NAMES.get(key)
