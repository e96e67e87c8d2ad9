"""The curated story nouns (`words.NOUNS`) in Hindi, Tamil, Telugu, Kannada, Malayalam,
Bengali, Marathi, Gujarati and Punjabi.

CLDR names the animals in these languages, but most scene words are no emoji with a
one-word name (a tree, a river, water, a house, a village), so a Tamil or Bengali film drew
none of "a crow sat on the tree and looked for water". These are the words stories say
most, written by hand, each pointing at the English word whose picture it is. Dictionary
forms; the case endings these languages join to a noun (Tamil மரத்தில், Bengali গাছে,
Marathi झाडावर, Kannada ಮನೆಯಲ್ಲಿ) are taken off by `words._dictionary_forms`, and the
irregular stems a noun takes before them (Telugu నీటి for నీరు, Tamil வீட்டு for வீடு) are
listed as words. Words that are as often something else are left out: Hindi आम (a mango,
and common), सोना (gold, and to sleep), Tamil ஆறு (a river,
and six), Bengali তারা (stars, and they), কলা (banana, and art), Marathi नाव (a boat, and a
name), and a road where the word is as often "a way" (Bengali রাস্তা, Marathi रस्ता,
Gujarati રસ્તો, Telugu దారి: "I will find a way"), Bengali বল (a ball, and "say"),
Marathi and Gujarati पान/પાન (a leaf, and a page or betel), Tamil பட்டம் (a kite, and a
degree), Telugu కత్తి (a sword, and a kitchen knife).
"""

from __future__ import annotations

# language -> lines of "english: its words" (English NOUNS words; "crown" stands for a king)
_TABLES: dict[str, str] = {
    # Hindi's nouns as written are also in `words.HINDI`; these add the rest and the endings
    "hi": """
        water: पानी जल
        tree: पेड़ वृक्ष
        river: नदी
        forest: जंगल वन
        rain: बारिश वर्षा
        cloud: बादल
        sun: सूरज सूर्य
        moon: चाँद चांद चंद्रमा
        star: तारा सितारा
        sky: आसमान आकाश
        mountain: पहाड़ पर्वत
        snow: बर्फ़ बर्फ
        sea: समुद्र सागर
        fire: आग
        stone: पत्थर
        pebble: कंकड़ कंकड़ी
        house: घर मकान
        village: गाँव गांव
        field: खेत
        temple: मंदिर
        crown: राजा
        palace: महल
        pot: घड़ा मटका
        crow: कौआ कौवा
        owl: उल्लू
        bird: चिड़िया पक्षी
        fish: मछली
        cow: गाय
        elephant: हाथी
        lion: शेर सिंह
        tiger: बाघ
        monkey: बंदर
        snake: साँप सांप
        dog: कुत्ता
        cat: बिल्ली
        horse: घोड़ा
        deer: हिरण
        peacock: मोर
        parrot: तोता
        flower: फूल
        lotus: कमल
        banana: केला
        rice: चावल
        milk: दूध
        roti: रोटी
        book: किताब पुस्तक
        diya: दीया दीपक
        boat: नाव
        road: सड़क
        money: पैसा रुपया
        school: स्कूल विद्यालय
        door: दरवाज़ा दरवाजा
        night: रात
        wind: हवा
        leaf: पत्ता पत्ते पत्तियाँ
        grass: घास
        garden: बगीचा बाग़ बाग
        pond: तालाब
        bridge: पुल
        city: शहर नगर
        rainbow: इंद्रधनुष
        earth: धरती पृथ्वी
        sword: तलवार
        drum: ढोल
        kite: पतंग
        ball: गेंद
    """,
    "ta": """
        water: தண்ணீர் நீர்
        tree: மரம் மரங்கள் ஆலமரம்
        river: நதி
        forest: காடு காட்டில் காட்டு
        rain: மழை
        cloud: மேகம் மேகங்கள்
        sun: சூரியன்
        moon: நிலா சந்திரன்
        star: நட்சத்திரம்
        sky: வானம்
        mountain: மலை
        snow: பனி
        sea: கடல்
        fire: நெருப்பு
        pebble: கூழாங்கல் கூழாங்கற்களை கூழாங்கல்லை
        stone: கல்லை கற்கள் கற்களை
        house: வீடு வீட்டின் வீட்டில் வீட்டை வீட்டுக்கு வீட்டுக்குப்
        village: கிராமம் ஊர்
        temple: கோவில் கோயில்
        crown: அரசன் ராஜா
        palace: அரண்மனை
        pot: பானை குடம்
        crow: காகம் காக்கை
        owl: ஆந்தை
        bird: பறவை பறவைகள்
        fish: மீன்
        cow: பசு மாடு
        elephant: யானை
        lion: சிங்கம்
        tiger: புலி
        monkey: குரங்கு
        snake: பாம்பு
        dog: நாய்
        cat: பூனை
        horse: குதிரை
        deer: மான்
        peacock: மயில்
        parrot: கிளி
        flower: மலர் பூக்கள்
        lotus: தாமரை
        mango: மாம்பழம் மாங்காய்
        banana: வாழைப்பழம்
        rice: அரிசி
        milk: பால்
        book: புத்தகம்
        lamp: விளக்கு
        diya: தீபம்
        boat: படகு
        road: சாலை
        field: வயல்
        money: பணம்
        gold: தங்கம்
        school: பள்ளி
        door: கதவு
        night: இரவு
        wind: காற்று
        leaf: இலை இலைகள்
        grass: புல்
        garden: தோட்டம்
        pond: குளம்
        bridge: பாலம்
        city: நகரம்
        roti: ரொட்டி
        rainbow: வானவில்
        earth: பூமி
        sword: வாள்
        drum: மேளம்
        ball: பந்து
    """,
    "te": """
        water: నీరు నీళ్ళు నీళ్లు నీళ్ళ నీళ్ల నీటి
        tree: చెట్టు చెట్లు చెట్ల మర్రిచెట్టు
        river: నది నదులు
        forest: అడవి
        rain: వర్షం వాన
        cloud: మేఘం మేఘాలు
        sun: సూర్యుడు
        moon: చంద్రుడు జాబిల్లి
        star: నక్షత్రం నక్షత్రాలు
        sky: ఆకాశం
        mountain: కొండ పర్వతం
        snow: మంచు
        sea: సముద్రం
        fire: నిప్పు అగ్ని
        stone: రాయి రాళ్ళు రాళ్లు
        pebble: గులకరాయి గులకరాళ్ళు
        house: ఇల్లు ఇంటి ఇంట్లో
        village: గ్రామం ఊరు
        temple: గుడి దేవాలయం
        crown: రాజు
        palace: రాజభవనం
        pot: కుండ
        crow: కాకి
        owl: గుడ్లగూబ
        bird: పక్షి పక్షులు
        fish: చేప చేపలు
        cow: ఆవు
        elephant: ఏనుగు
        lion: సింహం
        tiger: పులి
        monkey: కోతి
        snake: పాము
        dog: కుక్క
        cat: పిల్లి
        horse: గుర్రం
        deer: జింక
        peacock: నెమలి
        parrot: చిలుక
        flower: పువ్వు పూలు
        lotus: తామర
        mango: మామిడి
        banana: అరటి అరటిపండు
        rice: బియ్యం అన్నం
        milk: పాలు
        book: పుస్తకం
        diya: దీపం
        boat: పడవ
        road: రోడ్డు
        field: పొలం
        money: డబ్బు
        gold: బంగారం
        school: బడి
        door: తలుపు
        night: రాత్రి
        wind: గాలి
        leaf: ఆకు ఆకులు
        grass: గడ్డి
        garden: తోట
        pond: చెరువు
        bridge: వంతెన
        city: నగరం
        roti: రొట్టె
        rainbow: ఇంద్రధనుస్సు
        earth: భూమి
        drum: డప్పు
        kite: గాలిపటం
        ball: బంతి
    """,
    "kn": """
        water: ನೀರು ನೀರಿನ
        tree: ಮರ ಮರಗಳು
        river: ನದಿ
        forest: ಕಾಡು ಕಾಡಿನ
        rain: ಮಳೆ
        cloud: ಮೋಡ ಮೋಡಗಳು
        sun: ಸೂರ್ಯ
        moon: ಚಂದ್ರ
        star: ನಕ್ಷತ್ರ
        sky: ಆಕಾಶ
        mountain: ಬೆಟ್ಟ ಪರ್ವತ
        snow: ಹಿಮ
        sea: ಸಮುದ್ರ
        fire: ಬೆಂಕಿ
        stone: ಕಲ್ಲು ಕಲ್ಲನ್ನು ಕಲ್ಲುಗಳು
        pebble: ಬೆಣಚುಕಲ್ಲು
        house: ಮನೆ
        village: ಹಳ್ಳಿ ಗ್ರಾಮ
        temple: ದೇವಸ್ಥಾನ ದೇವಾಲಯ
        crown: ರಾಜ
        palace: ಅರಮನೆ
        pot: ಮಡಕೆ ಗಡಿಗೆ ಕೊಡ
        crow: ಕಾಗೆ
        owl: ಗೂಬೆ
        bird: ಹಕ್ಕಿ ಪಕ್ಷಿ
        fish: ಮೀನು
        cow: ಹಸು
        elephant: ಆನೆ
        lion: ಸಿಂಹ
        tiger: ಹುಲಿ
        monkey: ಕೋತಿ ಮಂಗ
        snake: ಹಾವು
        dog: ನಾಯಿ
        cat: ಬೆಕ್ಕು
        horse: ಕುದುರೆ
        deer: ಜಿಂಕೆ
        peacock: ನವಿಲು
        parrot: ಗಿಳಿ
        flower: ಹೂವು ಹೂವುಗಳು
        lotus: ಕಮಲ ತಾವರೆ
        mango: ಮಾವಿನಹಣ್ಣು
        banana: ಬಾಳೆಹಣ್ಣು
        rice: ಅಕ್ಕಿ ಅನ್ನ
        milk: ಹಾಲು
        book: ಪುಸ್ತಕ
        diya: ದೀಪ
        boat: ದೋಣಿ
        road: ರಸ್ತೆ
        field: ಹೊಲ
        money: ಹಣ
        gold: ಚಿನ್ನ
        school: ಶಾಲೆ
        door: ಬಾಗಿಲು
        night: ರಾತ್ರಿ
        wind: ಗಾಳಿ
        leaf: ಎಲೆ ಎಲೆಗಳು
        grass: ಹುಲ್ಲು
        garden: ತೋಟ
        pond: ಕೊಳ
        bridge: ಸೇತುವೆ
        city: ನಗರ
        roti: ರೊಟ್ಟಿ
        rainbow: ಕಾಮನಬಿಲ್ಲು
        earth: ಭೂಮಿ
        sword: ಖಡ್ಗ
        drum: ಡೋಲು
        kite: ಗಾಳಿಪಟ
        ball: ಚೆಂಡು
    """,
    "ml": """
        water: വെള്ളം
        tree: മരം മരങ്ങൾ ആൽമരം
        river: നദി പുഴ
        forest: കാട് വനം കാട്ടിൽ
        rain: മഴ
        cloud: മേഘം മേഘങ്ങൾ
        sun: സൂര്യൻ
        moon: ചന്ദ്രൻ
        star: നക്ഷത്രം
        sky: ആകാശം
        mountain: മല പർവ്വതം
        snow: മഞ്ഞ്
        sea: കടൽ
        fire: തീ
        stone: കല്ല് കല്ലുകൾ
        pebble: ഉരുളൻകല്ല്
        house: വീട് വീട്ടിൽ
        village: ഗ്രാമം
        temple: ക്ഷേത്രം അമ്പലം
        crown: രാജാവ്
        palace: കൊട്ടാരം
        pot: കുടം കലം
        crow: കാക്ക
        owl: മൂങ്ങ
        bird: പക്ഷി
        fish: മീൻ മത്സ്യം
        cow: പശു
        elephant: ആന
        lion: സിംഹം
        tiger: കടുവ
        monkey: കുരങ്ങ്
        snake: പാമ്പ്
        dog: നായ
        cat: പൂച്ച
        horse: കുതിര
        deer: മാൻ
        peacock: മയിൽ
        parrot: തത്ത
        flower: പൂവ് പൂക്കൾ
        lotus: താമര
        mango: മാങ്ങ
        rice: അരി ചോറ്
        milk: പാൽ
        book: പുസ്തകം
        lamp: വിളക്ക്
        boat: തോണി വള്ളം
        road: റോഡ്
        field: വയൽ
        money: പണം
        gold: സ്വർണ്ണം സ്വർണം
        school: സ്കൂൾ
        door: വാതിൽ
        night: രാത്രി
        wind: കാറ്റ്
        leaf: ഇല ഇലകൾ
        grass: പുല്ല്
        garden: തോട്ടം
        pond: കുളം
        bridge: പാലം
        city: നഗരം
        roti: റൊട്ടി
        rainbow: മഴവില്ല്
        earth: ഭൂമി
        sword: വാൾ
        drum: ചെണ്ട
        kite: പട്ടം
        ball: പന്ത്
    """,
    "bn": """
        water: জল পানি
        tree: গাছ বটগাছ
        river: নদী
        forest: বন জঙ্গল
        rain: বৃষ্টি
        cloud: মেঘ
        sun: সূর্য
        moon: চাঁদ
        sky: আকাশ
        mountain: পাহাড় পর্বত
        snow: বরফ
        sea: সমুদ্র সাগর
        fire: আগুন
        stone: পাথর
        pebble: নুড়ি
        house: বাড়ি ঘর
        village: গ্রাম
        temple: মন্দির
        crown: রাজা
        palace: প্রাসাদ
        pot: কলসি হাঁড়ি
        crow: কাক
        owl: পেঁচা
        bird: পাখি
        fish: মাছ
        cow: গরু
        elephant: হাতি
        lion: সিংহ
        tiger: বাঘ
        monkey: বানর
        snake: সাপ
        dog: কুকুর
        cat: বিড়াল
        horse: ঘোড়া
        deer: হরিণ
        peacock: ময়ূর
        parrot: টিয়া
        flower: ফুল
        lotus: পদ্ম
        mango: আম
        rice: ভাত চাল
        milk: দুধ
        book: বই
        diya: প্রদীপ
        boat: নৌকা
        road: সড়ক
        field: মাঠ
        money: টাকা
        gold: সোনা
        school: স্কুল
        door: দরজা
        night: রাত
        wind: বাতাস হাওয়া
        leaf: পাতা
        grass: ঘাস
        garden: বাগান
        pond: পুকুর
        bridge: সেতু
        city: শহর
        roti: রুটি
        rainbow: রংধনু
        earth: পৃথিবী
        sword: তলোয়ার
        drum: ঢোল
        kite: ঘুড়ি
    """,
    "mr": """
        water: पाणी पाण्या
        tree: झाड झाडे
        river: नदी नद्या
        forest: जंगल रान
        rain: पाऊस पावसा
        cloud: ढग
        sun: सूर्य
        moon: चंद्र
        star: तारा तारे
        sky: आकाश
        mountain: डोंगर पर्वत
        snow: बर्फ
        sea: समुद्र
        fire: आग
        stone: दगड
        pebble: खडा खडे
        house: घर
        village: गाव
        temple: मंदिर देऊळ
        crown: राजा
        palace: राजवाडा महाल
        pot: मडके मडक्या घडा
        crow: कावळा
        owl: घुबड
        bird: पक्षी
        fish: मासा मासे
        cow: गाय
        elephant: हत्ती
        lion: सिंह
        tiger: वाघ
        monkey: माकड
        snake: साप
        dog: कुत्रा
        cat: मांजर
        horse: घोडा
        deer: हरीण
        peacock: मोर
        parrot: पोपट
        flower: फूल फुले
        lotus: कमळ
        mango: आंबा
        banana: केळे केळी
        rice: भात तांदूळ
        milk: दूध
        book: पुस्तक
        diya: दिवा
        boat: होडी
        road: सडक
        field: शेत
        money: पैसे
        gold: सोने
        school: शाळा
        door: दार दरवाजा
        night: रात्र
        wind: वारा
        grass: गवत
        garden: बाग बगीचा
        pond: तलाव
        bridge: पूल
        city: शहर
        roti: भाकरी पोळी
        rainbow: इंद्रधनुष्य
        earth: पृथ्वी धरती
        sword: तलवार
        drum: ढोल
        kite: पतंग
        ball: चेंडू
    """,
    "gu": """
        water: પાણી
        tree: ઝાડ વૃક્ષ
        river: નદી
        forest: જંગલ
        rain: વરસાદ
        cloud: વાદળ
        sun: સૂરજ સૂર્ય
        moon: ચંદ્ર
        star: તારો તારા
        sky: આકાશ
        mountain: પર્વત ડુંગર
        snow: બરફ
        sea: સમુદ્ર દરિયો
        fire: આગ
        stone: પથ્થર
        pebble: કાંકરો કાંકરા
        house: ઘર
        village: ગામ
        temple: મંદિર
        crown: રાજા
        palace: મહેલ
        pot: માટલું ઘડો
        crow: કાગડો
        owl: ઘુવડ
        bird: પક્ષી
        fish: માછલી
        cow: ગાય
        elephant: હાથી
        lion: સિંહ
        tiger: વાઘ
        monkey: વાંદરો
        snake: સાપ
        dog: કૂતરો
        cat: બિલાડી
        horse: ઘોડો
        deer: હરણ
        peacock: મોર
        parrot: પોપટ
        flower: ફૂલ
        lotus: કમળ
        mango: કેરી
        banana: કેળું
        rice: ભાત ચોખા
        milk: દૂધ
        book: પુસ્તક
        diya: દીવો
        boat: હોડી
        road: સડક
        field: ખેતર
        money: પૈસા
        gold: સોનું
        school: શાળા
        door: દરવાજો
        night: રાત
        wind: પવન
        leaf: પાંદડું પાંદડાં
        grass: ઘાસ
        garden: બગીચો
        pond: તળાવ
        bridge: પુલ
        city: શહેર
        roti: રોટલી રોટલો
        rainbow: મેઘધનુષ્ય
        earth: પૃથ્વી ધરતી
        sword: તલવાર
        drum: ઢોલ
        kite: પતંગ
        ball: દડો
    """,
    "pa": """
        water: ਪਾਣੀ
        tree: ਦਰਖ਼ਤ ਦਰਖਤ ਦਰੱਖਤ ਰੁੱਖ
        river: ਨਦੀ ਦਰਿਆ
        forest: ਜੰਗਲ
        rain: ਮੀਂਹ
        cloud: ਬੱਦਲ
        sun: ਸੂਰਜ
        moon: ਚੰਨ
        star: ਤਾਰਾ ਤਾਰੇ
        sky: ਅਸਮਾਨ
        mountain: ਪਹਾੜ
        snow: ਬਰਫ਼
        sea: ਸਮੁੰਦਰ
        fire: ਅੱਗ
        stone: ਪੱਥਰ
        pebble: ਕੰਕਰ ਰੋੜਾ
        house: ਘਰ
        village: ਪਿੰਡ
        temple: ਮੰਦਰ
        crown: ਰਾਜਾ
        palace: ਮਹਿਲ
        pot: ਘੜਾ ਘੜੇ
        crow: ਕਾਂ
        owl: ਉੱਲੂ
        bird: ਪੰਛੀ
        fish: ਮੱਛੀ
        cow: ਗਾਂ
        elephant: ਹਾਥੀ
        lion: ਸ਼ੇਰ
        tiger: ਬਾਘ
        monkey: ਬਾਂਦਰ
        snake: ਸੱਪ
        dog: ਕੁੱਤਾ
        cat: ਬਿੱਲੀ
        horse: ਘੋੜਾ
        deer: ਹਿਰਨ
        peacock: ਮੋਰ
        parrot: ਤੋਤਾ
        flower: ਫੁੱਲ
        lotus: ਕਮਲ
        mango: ਅੰਬ
        banana: ਕੇਲਾ
        rice: ਚੌਲ
        milk: ਦੁੱਧ
        book: ਕਿਤਾਬ
        diya: ਦੀਵਾ
        boat: ਕਿਸ਼ਤੀ
        road: ਸੜਕ
        field: ਖੇਤ
        money: ਪੈਸੇ
        gold: ਸੋਨਾ
        school: ਸਕੂਲ
        door: ਦਰਵਾਜ਼ਾ
        night: ਰਾਤ
        wind: ਹਵਾ
        leaf: ਪੱਤਾ ਪੱਤੇ
        grass: ਘਾਹ
        garden: ਬਾਗ਼ ਬਗੀਚਾ
        pond: ਛੱਪੜ ਤਲਾਬ
        bridge: ਪੁਲ
        city: ਸ਼ਹਿਰ
        roti: ਰੋਟੀ
        earth: ਧਰਤੀ
        sword: ਤਲਵਾਰ
        drum: ਢੋਲ
        kite: ਪਤੰਗ
        ball: ਗੇਂਦ
    """,
}

LANGUAGES = frozenset(_TABLES)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A case ending joined to a noun -> what the noun's dictionary form ends with after the
# stem (`words._dictionary_forms`; stems of at least 2 characters)
ENDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    # Hindi: the oblique and plural (घड़े, कौए, पेड़ों, गायें, नदियों)
    "hi": {"ों": ("", "ा"), "ें": ("",), "े": ("ा",), "ए": ("आ",), "ओं": ("आ",),
           "ियों": ("ी",), "ियाँ": ("ी",)},
    # Tamil: -ம் nouns take -த்த- (மரத்தில் "in the tree"), a consonant its vowel sign
    # (தண்ணீரை, குரங்கின்), a vowel -ய- (பானையில்)
    "ta": {
        **dict.fromkeys(
            ("த்திலிருந்து", "த்தில்", "த்தை", "த்துக்கு", "த்தின்", "த்தோடு", "த்தால்",
             "த்திற்கு", "ங்கள்", "ங்களை", "ங்களில்", "ங்களின்"), ("ம்",)),
        **dict.fromkeys(
            ("ிலிருந்து", "ில்", "ை", "ுக்கு", "ின்", "ோடு", "ால்", "ும்", "ிற்கு", "ுடன்"),
            ("்", "ு")),
        **dict.fromkeys(
            ("யிலிருந்து", "யில்", "யை", "க்கு", "க்குள்", "யின்", "யோடு", "யால்", "யும்",
             "கள்", "களை", "களில்"), ("",)),
    },
    "te": {
        **dict.fromkeys(("లో", "కు", "కి", "ని", "ను", "తో", "పై", "లు", "ల"), ("",)),
        **dict.fromkeys(("ానికి", "ాన్ని", "ాల", "ాలు", "ంలో"), ("ం",)),
    },
    "kn": {
        **dict.fromkeys(
            ("ದಲ್ಲಿ", "ದ", "ಕ್ಕೆ", "ವನ್ನು", "ವು", "ದಿಂದ", "ಗಳು", "ಗಳಲ್ಲಿ", "ಗಳನ್ನು", "ಯಲ್ಲಿ",
             "ಯ", "ಗೆ", "ಯನ್ನು", "ಯಿಂದ", "ಯು", "ಯೊಳಗೆ", "ದೊಳಗೆ"), ("",)),
        **dict.fromkeys(("ನ್ನು", "ಿನ", "ಿಗೆ", "ಿನಲ್ಲಿ", "ಿಂದ"), ("ು",)),
    },
    "ml": {
        **dict.fromkeys(
            ("ത്തിൽ", "ത്തിന്റെ", "ത്തെ", "ത്തിലേക്ക്", "ത്തിലൂടെ", "ത്തിന്", "ങ്ങൾ",
             "ങ്ങളിൽ", "മുണ്ട്"), ("ം",)),
        **dict.fromkeys(("യുടെ", "യിൽ", "യെ", "ക്ക്", "യ്ക്ക്", "കൾ", "യും"), ("",)),
        **dict.fromkeys(("ിൽ", "ിന്റെ", "ിനെ", "ിന്", "ിലേക്ക്", "ുകൾ", "ും"), ("്",)),
    },
    "bn": dict.fromkeys(
        ("ে", "তে", "র", "এর", "ের", "কে", "টি", "টা", "গুলো", "গুলি", "দের", "ও"), ("",)),
    "mr": {
        **dict.fromkeys(
            ("ावर", "ात", "ाला", "ाचा", "ाची", "ाचे", "ाच्या", "ाने", "ामध्ये", "ामागे",
             "ाकडे", "ाजवळ", "ांत", "ांना", "ांवर", "ाखाली", "ातून", "ाशी", "ावरून"), ("",)),
        **dict.fromkeys(
            ("्याने", "्याला", "्याचा", "्याची", "्याचे", "्याच्या", "्यात", "्यावर",
             "्याकडे", "्याजवळ", "्यातून", "्यावरून"), ("ा", "ी", "े")),
        **dict.fromkeys(
            ("त", "ला", "चा", "ची", "चे", "च्या", "ने", "वर", "मध्ये", "काठी", "कडे", "जवळ"),
            ("",)),
    },
    "gu": {
        **dict.fromkeys(
            ("માં", "ની", "નો", "નું", "ના", "ને", "થી", "પર", "ઓ", "ઓને", "ઓની"), ("",)),
        **dict.fromkeys(
            ("ાને", "ામાં", "ાની", "ાનો", "ાનું", "ાના", "ાથી", "ાઓ", "ા"), ("ો", "ું")),
    },
    "pa": {"ੇ": ("ਾ",), "ਿਆਂ": ("ਾ",), "ਾਂ": ("",), "ੀਆਂ": ("ੀ",), "ੋਂ": ("",)},
}  # fmt: skip
# Tamil doubles the next word's first consonant onto a word (ஆந்தைப் பாட்டி, தண்ணீரைத் தேடி)
JOINING = {"ta": ("ப்", "க்", "த்", "ச்")}
# Words after a thing that say it is not there, as Hindi's नहीं and सूखी do: "தண்ணீர்
# இல்லை", "জল নেই", "नद्या कोरड्या", "ನದಿಗಳು ಬತ್ತಿ" (no water; the rivers dry)
ABSENT_AFTER = _words(
    "இல்லை வறண்டு வறண்ட வற்றி வற்றிப் లేదు లేవు ఎండిపోయాయి ఎండిపోయింది ఎండిపోయి "
    "ಇಲ್ಲ ಬತ್ತಿ ಬತ್ತಿಹೋಗಿದ್ದವು ಒಣಗಿ ഇല്ല ഇല്ലായിരുന്നു വറ്റി വറ്റിപ്പോയി വറ്റിവരണ്ടു "
    "വറ്റിപ്പോയിരുന്നു "
    "নেই না শুকিয়ে শুকনো नाही नव्हते नव्हता नव्हती कोरड्या कोरडी कोरडे आटल्या आटली "
    "નથી ન સુકાઈ સૂકી સૂકાં ਨਹੀਂ ਸੁੱਕ ਸੁੱਕੇ ਸੁੱਕੀਆਂ"
)


def table(language: str) -> dict[str, str]:
    """Word -> English NOUNS word ("crown" for a king), for one of `LANGUAGES` ({} else)."""
    words: dict[str, str] = {}
    for line in _TABLES.get(language, "").strip().splitlines():
        english, _, written = line.partition(":")
        for word in written.split():
            words[word] = english.strip()
    return words
