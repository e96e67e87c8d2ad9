"""Measure how often a line in another language names a picture the illustrated default draws.

    python benchmarks/bench_picture_languages.py

The Thirsty Crow example's seven spoken lines (narration and dialogue), translated by hand
into French, Spanish, Portuguese, Italian, German, Russian, Mandarin, Japanese, Hindi, Tamil,
Telugu, Kannada, Malayalam, Bengali, Marathi, Gujarati, Punjabi and Arabic, are looked up
as the illustrated scene looks up its words (`aifilm.draw.words.find_things`): as an
English film did before (the English and Indian CLDR tables only) and in the line's own
language (its CLDR names and the curated nouns, `aifilm.draw.translated`,
`aifilm.draw.indian_nouns`). Reported per language: the lines that name at least one
picture, and the pictures. Results: benchmarks/results/picture_languages.json and a
markdown table on stdout.
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
    "hi": [
        "गर्मी का सबसे गरम दिन था। नदियाँ सूख गई थीं, और काका नाम का एक छोटा-सा कौआ पानी की "
        "तलाश में एक पेड़ से दूसरे पेड़ पर उड़ रहा था।",
        "पानी, पानी... क्या इस पूरे जंगल में ज़रा भी पानी बचा है?",
        "आख़िरकार काका को पुराने बरगद के पेड़ पर आराम करती समझदार उल्लू दादी मिलीं।",
        "बच्चे, किसान के घर के पीछे एक घड़ा है। पर वह बहुत गहरा है।",
        "धन्यवाद, दादी! मैं कोई रास्ता ढूँढ लूँगा।",
        "पानी बहुत नीचे था। काका ने सोचा, और सोचा। फिर उसने घड़े में एक कंकड़ डाला, फिर दूसरा, फिर एक और।",
        "धीरे-धीरे पानी ऊपर आया, और काका ने जी भरकर पानी पिया।",
    ],
    "ta": [
        "அது கோடையின் மிக வெப்பமான நாள். நதிகள் வறண்டு இருந்தன, காகா என்ற சிறிய காகம் தண்ணீர் "
        "தேடி மரத்திலிருந்து மரத்துக்குப் பறந்தது.",
        "தண்ணீர், தண்ணீர்... இந்தக் காடு முழுவதிலும் கொஞ்சம் தண்ணீர் கூட இல்லையா?",
        "கடைசியில், பழைய ஆலமரத்தில் ஓய்வெடுத்துக் கொண்டிருந்த புத்திசாலி ஆந்தைப் பாட்டியை காகா சந்தித்தது.",
        "குழந்தாய், விவசாயியின் வீட்டுக்குப் பின்னால் ஒரு பானை இருக்கிறது. ஆனால் அது ஆழமானது.",
        "நன்றி, பாட்டி! நான் ஒரு வழி கண்டுபிடிப்பேன்.",
        "தண்ணீர் மிகவும் கீழே இருந்தது. காகா யோசித்தது, யோசித்தது. பிறகு அது ஒரு "
        "கூழாங்கல்லைப் பானைக்குள் போட்டது, இன்னொன்றை, இன்னும் ஒன்றை.",
        "மெதுவாக, தண்ணீர் மேலே வந்தது, காகா வயிறு நிறைய குடித்தது.",
    ],
    "te": [
        "అది వేసవిలో అత్యంత వేడి రోజు. నదులు ఎండిపోయాయి, కాకా అనే చిన్న కాకి నీళ్ళ కోసం చెట్టు నుండి చెట్టుకు ఎగిరింది.",
        "నీళ్ళు, నీళ్ళు... ఈ అడవి మొత్తంలో కొంచెం నీళ్ళు కూడా లేవా?",
        "చివరకు, కాకా పాత మర్రిచెట్టు మీద విశ్రాంతి తీసుకుంటున్న తెలివైన గుడ్లగూబ బామ్మను కలిసింది.",
        "చిన్నారీ, రైతు ఇంటి వెనుక ఒక కుండ ఉంది. కానీ అది చాలా లోతుగా ఉంది.",
        "ధన్యవాదాలు, బామ్మా! నేను ఏదో ఒక దారి కనుక్కుంటాను.",
        "నీళ్ళు చాలా కింద ఉన్నాయి. కాకా ఆలోచించింది, ఆలోచించింది. తర్వాత అది కుండలో ఒక గులకరాయి వేసింది, ఇంకొకటి, మరొకటి.",
        "నెమ్మదిగా నీళ్ళు పైకి వచ్చాయి, కాకా కడుపు నిండా నీళ్ళు తాగింది.",
    ],
    "kn": [
        "ಅದು ಬೇಸಿಗೆಯ ಅತ್ಯಂತ ಬಿಸಿಯಾದ ದಿನ. ನದಿಗಳು ಬತ್ತಿ ಹೋಗಿದ್ದವು, ಕಾಕಾ ಎಂಬ ಪುಟ್ಟ ಕಾಗೆ "
        "ನೀರನ್ನು ಹುಡುಕುತ್ತಾ ಮರದಿಂದ ಮರಕ್ಕೆ ಹಾರುತ್ತಿತ್ತು.",
        "ನೀರು, ನೀರು... ಈ ಇಡೀ ಕಾಡಿನಲ್ಲಿ ಸ್ವಲ್ಪವೂ ನೀರು ಇಲ್ಲವೇ?",
        "ಕೊನೆಗೆ, ಹಳೆಯ ಆಲದ ಮರದಲ್ಲಿ ವಿಶ್ರಾಂತಿ ಪಡೆಯುತ್ತಿದ್ದ ಬುದ್ಧಿವಂತ ಗೂಬೆ ಅಜ್ಜಿಯನ್ನು ಕಾಕಾ ಭೇಟಿಯಾಯಿತು.",
        "ಮಗು, ರೈತನ ಮನೆಯ ಹಿಂದೆ ಒಂದು ಮಡಕೆ ಇದೆ. ಆದರೆ ಅದು ತುಂಬಾ ಆಳವಾಗಿದೆ.",
        "ಧನ್ಯವಾದಗಳು, ಅಜ್ಜಿ! ನಾನು ಒಂದು ದಾರಿ ಹುಡುಕುತ್ತೇನೆ.",
        "ನೀರು ತುಂಬಾ ಕೆಳಗಿತ್ತು. ಕಾಕಾ ಯೋಚಿಸಿತು, ಯೋಚಿಸಿತು. ನಂತರ ಅದು ಮಡಕೆಯೊಳಗೆ ಒಂದು ಕಲ್ಲನ್ನು ಹಾಕಿತು, ಇನ್ನೊಂದು, ಮತ್ತೊಂದು.",
        "ನಿಧಾನವಾಗಿ ನೀರು ಮೇಲೆ ಬಂತು, ಕಾಕಾ ಹೊಟ್ಟೆ ತುಂಬಾ ನೀರು ಕುಡಿಯಿತು.",
    ],
    "ml": [
        "വേനലിലെ ഏറ്റവും ചൂടുള്ള ദിവസമായിരുന്നു അത്. പുഴകൾ വറ്റിപ്പോയിരുന്നു, കാകൻ എന്ന് "
        "പേരുള്ള ഒരു കുഞ്ഞു കാക്ക വെള്ളം തേടി മരത്തിൽ നിന്ന് മരത്തിലേക്ക് പറന്നു.",
        "വെള്ളം, വെള്ളം... ഈ കാട്ടിൽ എവിടെയെങ്കിലും കുറച്ച് വെള്ളം ബാക്കിയുണ്ടോ?",
        "ഒടുവിൽ, പഴയ ആൽമരത്തിൽ വിശ്രമിക്കുകയായിരുന്ന ബുദ്ധിമതിയായ മൂങ്ങ മുത്തശ്ശിയെ കാകൻ കണ്ടുമുട്ടി.",
        "കുഞ്ഞേ, കർഷകന്റെ വീടിന് പിന്നിൽ ഒരു കുടമുണ്ട്. പക്ഷേ അത് വളരെ ആഴമുള്ളതാണ്.",
        "നന്ദി, മുത്തശ്ശി! ഞാൻ ഒരു വഴി കണ്ടെത്തും.",
        "വെള്ളം വളരെ താഴെയായിരുന്നു. കാകൻ ആലോചിച്ചു, ആലോചിച്ചു. പിന്നെ അത് കുടത്തിലേക്ക് "
        "ഒരു കല്ല് ഇട്ടു, പിന്നെ മറ്റൊന്ന്, വീണ്ടും മറ്റൊന്ന്.",
        "പതുക്കെ വെള്ളം ഉയർന്നു വന്നു, കാകൻ വയറു നിറയെ വെള്ളം കുടിച്ചു.",
    ],
    "bn": [
        "সেটা ছিল গ্রীষ্মের সবচেয়ে গরম দিন। নদীগুলো শুকিয়ে গিয়েছিল, আর কাকা নামের একটি "
        "ছোট্ট কাক জলের খোঁজে এক গাছ থেকে আরেক গাছে উড়ে বেড়াচ্ছিল।",
        "জল, জল... এই গোটা বনে কি একটুও জল নেই?",
        "অবশেষে কাকা দেখা পেল জ্ঞানী পেঁচা দিদিমার, যিনি পুরনো বটগাছে বিশ্রাম নিচ্ছিলেন।",
        "খোকা, চাষির বাড়ির পিছনে একটা কলসি আছে। কিন্তু সেটা খুব গভীর।",
        "ধন্যবাদ, দিদিমা! আমি একটা উপায় খুঁজে বের করব।",
        "জল ছিল অনেক নিচে। কাকা ভাবল, আর ভাবল। তারপর সে কলসিতে একটা নুড়ি ফেলল, তারপর আরেকটা, তারপর আরও একটা।",
        "ধীরে ধীরে জল উপরে উঠে এল, আর কাকা পেট ভরে জল খেল।",
    ],
    "mr": [
        "उन्हाळ्यातला तो सर्वात गरम दिवस होता. नद्या कोरड्या पडल्या होत्या, आणि काका नावाचा "
        "एक छोटा कावळा पाण्याच्या शोधात एका झाडावरून दुसऱ्या झाडावर उडत होता.",
        "पाणी, पाणी... या संपूर्ण जंगलात थोडं तरी पाणी उरलं आहे का?",
        "शेवटी, जुन्या वडाच्या झाडावर विश्रांती घेत असलेल्या शहाण्या घुबड आजीला काका भेटला.",
        "बाळा, शेतकऱ्याच्या घरामागे एक मडके आहे. पण ते खूप खोल आहे.",
        "धन्यवाद, आजी! मी काहीतरी मार्ग शोधीन.",
        "पाणी खूप खाली होते. काकाने विचार केला, आणि विचार केला. मग त्याने मडक्यात एक खडा "
        "टाकला, मग दुसरा, मग आणखी एक.",
        "हळूहळू पाणी वर आले, आणि काका पोटभर पाणी प्यायला.",
    ],
    "gu": [
        "ઉનાળાનો એ સૌથી ગરમ દિવસ હતો. નદીઓ સુકાઈ ગઈ હતી, અને કાકા નામનો એક નાનો કાગડો "
        "પાણીની શોધમાં એક ઝાડથી બીજા ઝાડ પર ઊડતો હતો.",
        "પાણી, પાણી... આ આખા જંગલમાં થોડું પણ પાણી બચ્યું છે?",
        "છેવટે, કાકાને જૂના વડના ઝાડ પર આરામ કરતાં ડાહ્યાં ઘુવડ દાદી મળ્યાં.",
        "બેટા, ખેડૂતના ઘરની પાછળ એક માટલું છે. પણ તે ખૂબ ઊંડું છે.",
        "આભાર, દાદી! હું કોઈ રસ્તો શોધી કાઢીશ.",
        "પાણી ખૂબ નીચે હતું. કાકાએ વિચાર્યું, અને વિચાર્યું. પછી તેણે માટલામાં એક કાંકરો "
        "નાખ્યો, પછી બીજો, પછી વળી એક.",
        "ધીમે ધીમે પાણી ઉપર આવ્યું, અને કાકાએ ધરાઈને પાણી પીધું.",
    ],
    "pa": [
        "ਉਹ ਗਰਮੀਆਂ ਦਾ ਸਭ ਤੋਂ ਗਰਮ ਦਿਨ ਸੀ। ਨਦੀਆਂ ਸੁੱਕ ਗਈਆਂ ਸਨ, ਅਤੇ ਕਾਕਾ ਨਾਂ ਦਾ ਇੱਕ ਛੋਟਾ ਜਿਹਾ "
        "ਕਾਂ ਪਾਣੀ ਦੀ ਭਾਲ ਵਿੱਚ ਇੱਕ ਦਰਖ਼ਤ ਤੋਂ ਦੂਜੇ ਦਰਖ਼ਤ ਉੱਤੇ ਉੱਡ ਰਿਹਾ ਸੀ।",
        "ਪਾਣੀ, ਪਾਣੀ... ਕੀ ਇਸ ਸਾਰੇ ਜੰਗਲ ਵਿੱਚ ਥੋੜ੍ਹਾ ਜਿਹਾ ਵੀ ਪਾਣੀ ਬਚਿਆ ਹੈ?",
        "ਅਖ਼ੀਰ ਕਾਕੇ ਨੂੰ ਪੁਰਾਣੇ ਬੋਹੜ ਦੇ ਦਰਖ਼ਤ ਉੱਤੇ ਆਰਾਮ ਕਰਦੀ ਸਿਆਣੀ ਉੱਲੂ ਦਾਦੀ ਮਿਲੀ।",
        "ਬੱਚੇ, ਕਿਸਾਨ ਦੇ ਘਰ ਦੇ ਪਿੱਛੇ ਇੱਕ ਘੜਾ ਹੈ। ਪਰ ਉਹ ਬਹੁਤ ਡੂੰਘਾ ਹੈ।",
        "ਧੰਨਵਾਦ, ਦਾਦੀ! ਮੈਂ ਕੋਈ ਰਾਹ ਲੱਭ ਲਵਾਂਗਾ।",
        "ਪਾਣੀ ਬਹੁਤ ਹੇਠਾਂ ਸੀ। ਕਾਕੇ ਨੇ ਸੋਚਿਆ, ਅਤੇ ਸੋਚਿਆ। ਫਿਰ ਉਸ ਨੇ ਘੜੇ ਵਿੱਚ ਇੱਕ ਰੋੜਾ ਸੁੱਟਿਆ, ਫਿਰ ਦੂਜਾ, ਫਿਰ ਇੱਕ ਹੋਰ।",
        "ਹੌਲੀ-ਹੌਲੀ ਪਾਣੀ ਉੱਪਰ ਆ ਗਿਆ, ਅਤੇ ਕਾਕੇ ਨੇ ਰੱਜ ਕੇ ਪਾਣੀ ਪੀਤਾ।",
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
