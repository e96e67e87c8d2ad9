"""Measure how often a line in another language names a picture the illustrated default draws.

    python benchmarks/bench_picture_languages.py

The Thirsty Crow example's seven spoken lines (narration and dialogue), translated by hand
into French, Spanish, Portuguese, Italian, German, Russian, Mandarin, Japanese and Arabic,
are looked up as the illustrated scene looks up its words (`aifilm.draw.words.find_things`): as an
English film did before (the English and Indian tables only) and in the line's own language
(its CLDR names and the curated nouns, `aifilm.draw.translated`). Reported per language: the lines
that name at least one picture, and the pictures. Results:
benchmarks/results/picture_languages.json and a markdown table on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path

from aifilm.draw.words import find_things

RESULTS = Path(__file__).parent / "results" / "picture_languages.json"

LINES: dict[str, list[str]] = {
    "en": [
        "It was the hottest day of the summer. The rivers were dry, and a little crow named "
        "Kaka flew from tree to tree, looking for water.",
        "Water, water... is there any water left in this whole forest?",
        "At last, Kaka met wise Grandmother Owl, resting in the old banyan tree.",
        "Little one, there is a pot behind the farmer's house. But it is deep.",
        "Thank you, Grandmother! I will find a way.",
        "The water sat far below. Kaka thought, and thought. Then he dropped a pebble into "
        "the pot, and another, and another.",
        "Slowly, the water rose, until Kaka could drink his fill.",
    ],
    "fr": [
        "C'était le jour le plus chaud de l'été. Les rivières étaient sèches, et un petit "
        "corbeau nommé Kaka volait d'arbre en arbre, cherchant de l'eau.",
        "De l'eau, de l'eau... reste-t-il de l'eau dans toute cette forêt ?",
        "Enfin, Kaka rencontra la sage Grand-mère Chouette, qui se reposait dans le vieux banian.",
        "Petit, il y a une jarre derrière la maison du fermier. Mais elle est profonde.",
        "Merci, Grand-mère ! Je trouverai un moyen.",
        "L'eau était tout au fond. Kaka réfléchit, et réfléchit. Puis il laissa tomber un "
        "caillou dans la jarre, puis un autre, et encore un autre.",
        "Lentement, l'eau monta, jusqu'à ce que Kaka puisse boire à sa soif.",
    ],
    "es": [
        "Era el día más caluroso del verano. Los ríos estaban secos, y un pequeño cuervo "
        "llamado Kaka volaba de árbol en árbol, buscando agua.",
        "Agua, agua... ¿queda algo de agua en todo este bosque?",
        "Por fin, Kaka encontró a la sabia Abuela Búho, descansando en el viejo baniano.",
        "Pequeño, hay un cántaro detrás de la casa del granjero. Pero es hondo.",
        "¡Gracias, abuela! Encontraré la manera.",
        "El agua estaba muy abajo. Kaka pensó, y pensó. Luego dejó caer una piedra en el "
        "cántaro, y otra, y otra.",
        "Poco a poco, el agua subió, hasta que Kaka pudo beber todo lo que quiso.",
    ],
    "pt": [
        "Era o dia mais quente do verão. Os rios estavam secos, e um pequeno corvo chamado "
        "Kaka voava de árvore em árvore, procurando água.",
        "Água, água... ainda resta água nesta floresta inteira?",
        "Por fim, Kaka encontrou a sábia Vovó Coruja, descansando na velha figueira.",
        "Pequeno, há um pote atrás da casa do fazendeiro. Mas é fundo.",
        "Obrigado, vovó! Vou encontrar um jeito.",
        "A água estava lá no fundo. Kaka pensou, e pensou. Então jogou uma pedra no pote, e "
        "outra, e mais outra.",
        "Devagar, a água subiu, até que Kaka pôde beber à vontade.",
    ],
    "it": [
        "Era il giorno più caldo dell'estate. I fiumi erano secchi, e un piccolo corvo di "
        "nome Kaka volava di albero in albero, cercando acqua.",
        "Acqua, acqua... è rimasta un po' d'acqua in tutta questa foresta?",
        "Alla fine, Kaka incontrò la saggia Nonna Gufo, che riposava nel vecchio baniano.",
        "Piccolo, c'è una brocca dietro la casa del contadino. Ma è profonda.",
        "Grazie, nonna! Troverò un modo.",
        "L'acqua era molto in basso. Kaka pensò, e pensò. Poi lasciò cadere un sasso nella "
        "brocca, e un altro, e un altro ancora.",
        "Piano piano, l'acqua salì, finché Kaka poté bere a sazietà.",
    ],
    "de": [
        "Es war der heißeste Tag des Sommers. Die Flüsse waren ausgetrocknet, und eine "
        "kleine Krähe namens Kaka flog von Baum zu Baum und suchte Wasser.",
        "Wasser, Wasser... ist in diesem ganzen Wald noch Wasser übrig?",
        "Endlich traf Kaka die weise Großmutter Eule, die im alten Banyanbaum ruhte.",
        "Kleine, hinter dem Haus des Bauern steht ein Krug. Aber er ist tief.",
        "Danke, Großmutter! Ich werde einen Weg finden.",
        "Das Wasser stand tief unten. Kaka dachte nach, und dachte nach. Dann warf sie einen "
        "Stein in den Krug, und noch einen, und noch einen.",
        "Langsam stieg das Wasser, bis Kaka sich satt trinken konnte.",
    ],
    "ru": [
        "Это был самый жаркий день лета. Реки пересохли, и маленькая ворона по имени Кака "
        "летала с дерева на дерево в поисках воды.",
        "Вода, вода... осталась ли вода во всём этом лесу?",
        "Наконец Кака встретила мудрую бабушку Сову, отдыхавшую на старом баньяне.",
        "Малышка, за домом фермера стоит кувшин. Но он глубокий.",
        "Спасибо, бабушка! Я найду способ.",
        "Вода была далеко внизу. Кака думала и думала. Потом она бросила в кувшин камень, и "
        "ещё один, и ещё.",
        "Медленно вода поднялась, и Кака напилась вдоволь.",
    ],
    "zh": [
        "那是夏天最热的一天。河流都干了，一只名叫卡卡的小乌鸦从一棵树飞到另一棵树，寻找水。",
        "水，水……这整片森林里还有水吗？",
        "最后，卡卡遇见了聪明的猫头鹰奶奶，她正在老榕树上休息。",
        "孩子，农夫的房子后面有一个罐子。但是它很深。",
        "谢谢你，奶奶！我会想办法的。",
        "水在很深的地方。卡卡想了又想。然后他把一颗石子丢进罐子里，又一颗，又一颗。",
        "慢慢地，水升上来了，卡卡终于喝饱了。",
    ],
    "ja": [
        "夏のいちばん暑い日でした。川はすっかり干上がり、カカという名前の小さなカラスが、"
        "水を探して木から木へと飛び回っていました。",
        "水、水……この森じゅうに、水はもう残っていないの？",
        "ようやくカカは、古いバニヤンの木で休んでいる、かしこいフクロウのおばあさんに出会いました。",
        "坊や、お百姓さんの家の裏に、つぼがあるよ。でも、とても深いの。",
        "ありがとう、おばあさん！きっと方法を見つけます。",
        "水はずっと下のほうにありました。カカは考えて、考えました。そして、小石をひとつ、"
        "つぼの中に落としました。もうひとつ、またひとつ。",
        "ゆっくりと水がのぼってきて、カカはやっとお腹いっぱい水を飲むことができました。",
    ],
    "ar": [
        "كان أشد أيام الصيف حرًا. جفت الأنهار، وطار غراب صغير اسمه كاكا من شجرة إلى شجرة "
        "يبحث عن الماء.",
        "ماء، ماء... هل بقي أي ماء في هذه الغابة كلها؟",
        "أخيرًا التقى كاكا بالجدة البومة الحكيمة، تستريح في شجرة التين القديمة.",
        "يا صغيري، هناك جرة خلف بيت المزارع. لكنها عميقة.",
        "شكرًا يا جدتي! سأجد طريقة.",
        "كان الماء في الأسفل بعيدًا. فكر كاكا وفكر. ثم أسقط حصاة في الجرة، ثم أخرى، ثم أخرى.",
        "ببطء ارتفع الماء، حتى شرب كاكا حتى ارتوى.",
    ],
}


def pictures(line: str, language: str) -> list[str]:
    return [m.asset for m in find_things(line, language=language)]


def main() -> None:
    results = {}
    print("| language | lines naming a picture, before | now | pictures now |")
    print("|---|---|---|---|")
    for language, lines in LINES.items():
        before = [pictures(line, "en") for line in lines]
        now = [pictures(line, language) for line in lines]
        results[language] = {
            "lines": len(lines),
            "naming_before": sum(bool(p) for p in before),
            "naming_now": sum(bool(p) for p in now),
            "pictures_before": before,
            "pictures_now": now,
        }
        shown = "; ".join(", ".join(p) or "-" for p in now)
        row = results[language]
        print(
            f"| {language} | {row['naming_before']}/{len(lines)} | "
            f"{row['naming_now']}/{len(lines)} | {shown} |"
        )
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
