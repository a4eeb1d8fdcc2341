"""The demo's practice cases and discussions (texts only; community/seed/demo.py builds them through
the real actions). Authors are active members of the community they write in.

In bodies, ``@<email>`` becomes that demo user's @handle (handles come from display names and may
get a suffix when the name is taken, so they are looked up, not written out).
"""

# --- practice cases (published; replies go to each case's own discussion) --------------------

CNC_CASE = dict(
    community="smart-maintenance-oost",
    author="onderhoud@twente.example",
    organisation="Twentse Onderhoudstechniek",
    title="Voorspellend onderhoud op de CNC-lijn",
    domain="Onderhoud",
    level="hbo",
    tags=["predictive maintenance", "trillingssensoren", "cnc"],
    context="""\
Onze klant, een toeleverancier in de machinebouw, draait met vier CNC-bewerkingscentra in twee
ploegen. In het afgelopen jaar stond de lijn elf keer onverwacht stil door een defecte
spindellager, samen goed voor ruim 140 productie-uren. Het onderhoud was vooral correctief:
pas als de machine stopte, kwamen wij in actie.

- vier bewerkingscentra van 8 tot 15 jaar oud
- onderhoudsteam van vijf monteurs, geen vaste data-analist
- storingen werden op papier bijgehouden
""",
    question="""\
Kunnen we met eenvoudige **trillingssensoren** een lagerschade zien aankomen, ruim voordat de
spindel vastloopt? En kunnen onze eigen monteurs die metingen leren lezen, zonder dat we een
dure externe partij nodig hebben?
""",
    approach="""\
Samen met een afstudeerder van het lectoraat Smart Maintenance hebben we een pilot van drie
maanden opgezet:

1. Op twee spindels een draadloze trillingssensor geplaatst (versnelling en temperatuur).
2. Elke week met het hele team de trends bekeken: wat is normaal, wat niet?
3. Grenswaarden samen vastgesteld op basis van de eerste zes weken metingen.
4. Bij een alarm eerst een monteur laten kijken en luisteren, daarna pas ingrijpen.

De monteurs kregen twee korte werkplekinstructies over trillingsspectra, gegeven door de student.
""",
    result="""\
In week negen steeg het trillingsniveau op spindel 2 langzaam maar duidelijk. Bij inspectie
bleek de lagerkooi beschadigd. Het lager is in een geplande stop vervangen: **vier uur
stilstand in plaats van naar schatting twee dagen**.

- twee valse alarmen in de eerste weken, daarna geen meer
- de monteurs lezen de trendgrafieken nu zelf
- de klant wil de sensoren op alle vier de machines
""",
    lessons="""\
- Begin klein: twee sensoren en een vast weekmoment leveren meer op dan een groot dashboard.
- Laat de monteurs de grenswaarden mee bepalen; dan vertrouwen ze het alarm ook.
- Een stagiair of afstudeerder is een goede brug tussen data en werkvloer.
- Leg elke storing meteen digitaal vast, anders heb je geen historie om mee te vergelijken.
""",
    replies=[
        dict(author="lector@hogeschooloost.example", body="""\
Mooi voorbeeld van hoe je met weinig middelen begint. Wat mij opvalt: het **wekelijkse
teammoment** is waarschijnlijk net zo belangrijk als de sensoren zelf. Mogen we deze casus
gebruiken in de minor Smart Maintenance? Dan laten studenten een vervolg uitwerken voor de
andere twee machines."""),
        dict(author="hr@vandermeer.example", body="""\
Herkenbaar! Wij hebben ook een paar oudere bewerkingscentra. Hoeveel tijd kostte het jullie
monteurs per week om de trends te bekijken, en hoe hebben jullie dat ingepland naast de
storingen?"""),
        dict(author="onderhoud@twente.example", body="""\
@<hr@vandermeer.example> ongeveer een half uur per week met het hele team, op maandagochtend na
het ploegoverleg. De eerste weken was het meer, omdat alles nieuw was. Het helpt dat we het vast
in de planning hebben gezet, anders schiet het er bij een drukke week direct bij in."""),
        dict(author="student@rijnland.example", body="""\
Wij leren op school over trillingsanalyse, maar alleen uit het boek. Zou ik een keer mee mogen
kijken bij zo'n weekmoment? Dat zou voor mijn opdracht over onderhoudsstrategieën heel
waardevol zijn."""),
    ],
)

COBOT_CASE = dict(
    community="lasautomatisering-cobots",
    author="hr@vandermeer.example",
    organisation="Van der Meer Metaalbewerking",
    title="Een nieuwe lasser inwerken met een cobot",
    domain="Lassen",
    level="mbo",
    tags=["cobot", "lassen", "inwerken", "kennis delen en samenwerken"],
    context="""\
Sinds vorig jaar hebben we een lascobot voor kleine series frames en beugels. Tegelijk konden we
een nieuwe collega aannemen: een mbo-3 lasser, net van school, met weinig ervaring in MIG/MAG
op dikkere plaat. Vakmensen zijn schaars, dus we wilden hem snel en goed laten meedraaien.
""",
    question="""\
Kan de cobot helpen bij het **inwerken** van een beginnende lasser, in plaats van hem alleen
te vervangen? En hoe voorkom je dat de nieuwe collega alleen nog knoppen leert bedienen?
""",
    approach="""\
We hebben een inwerkplan van acht weken gemaakt met een ervaren lasser als buddy:

- week 1-2: handmatig lassen van proefstukken, beoordeeld door de buddy
- week 3-4: dezelfde naden programmeren op de cobot en de resultaten vergelijken
- week 5-8: zelfstandig kleine series draaien, elke vrijdag samen de naden beoordelen

De vergelijking tussen handlas en cobotlas werd het gesprek: *waarom* is deze naad beter?
""",
    result="""\
Na acht weken draaide de nieuwe collega zelfstandig series op de cobot en las hij zelf de
lasparameters af en bij. Zijn handlaswerk ging ook vooruit, omdat hij door het programmeren beter
begreep wat toorts-hoek en snelheid doen. Hij heeft inmiddels zijn eerste lascertificaat gehaald.
""",
    lessons="""\
- De cobot is een goed **leermiddel**: je ziet het effect van één parameter tegelijk.
- Een vaste buddy en een vast beoordelingsmoment maken het verschil.
- Laat de nieuwe collega zelf uitleggen waarom een naad goed of fout is.
- Plan het inwerken op papier; anders wint de productiedruk het altijd.
""",
    replies=[
        dict(author="lasser@vandermeer.example", body="""\
Als buddy kan ik het bevestigen: die vrijdagmiddagen waren het waardevolst. We legden de
proefstukken naast elkaar en dan zag je het gewoon. Ik heb er zelf ook van geleerd, vooral over
hoe je uitlegt wat je al twintig jaar op gevoel doet."""),
        dict(author="docent@rijnland.example", body="""\
Dit is precies het soort opdracht dat we op school willen nabootsen. Zouden jullie proefstukken
en de parameters beschikbaar willen stellen? Dan maken we er een lesopdracht van voor niveau 3,
met een bezoek aan jullie werkplaats als afsluiting."""),
        dict(author="coordinator@leerkring.example", body="""\
Goed om te weten: voor dit soort inwerktrajecten met een buddy kun je via het opleidingsfonds
een tegemoetkoming aanvragen. Ik zet de voorwaarden volgende week in deze leergemeenschap."""),
    ],
)

PLC_CASE = dict(
    community="hybride-leren-op-de-werkvloer",
    author="student@rijnland.example",
    organisation="Techniek College Rijnland",
    title="Stage PLC-programmeren bij een installateur",
    domain="Installatietechniek",
    level="mbo",
    tags=["plc", "stage"],
    context="""\
Ik zit in het derde jaar van de opleiding Eerste monteur elektrotechnische installaties en loop
stage bij Brouwer Installatietechniek in Zwolle. Het bedrijf bouwt klimaatinstallaties voor
kantoren en scholen; de regelkasten met een PLC worden steeds belangrijker.
""",
    question="""\
Hoe leer je PLC-programmeren in de praktijk, als je op school alleen met een simulator hebt
gewerkt? En hoe sluiten mijn schoolopdrachten aan bij wat ik op de werkvloer doe?
""",
    approach="""\
Samen met mijn praktijkopleider en mijn docent hebben we de stage opgedeeld in drie stappen:

1. Meelopen bij het testen van bestaande regelkasten en de programma's leren lezen.
2. Een kleine aanpassing zelf programmeren (een extra storingsmelding), eerst op een testopstelling.
3. Mijn schoolopdracht over regeltechniek uitvoeren op een echte luchtbehandelingskast.

Elke twee weken had ik een gesprek met mijn praktijkopleider en docent samen, via video.
""",
    result="""\
De storingsmelding die ik heb geprogrammeerd draait nu bij een klant. Mijn schoolopdracht kreeg
een goed cijfer, en mijn praktijkopleider heeft de beoordeling mee ingevuld. Ik mag na mijn
diploma blijven als leerling-monteur via een BBL-traject.
""",
    lessons="""\
- Een testopstelling op het bedrijf is veel waard: je durft meer als er niets kapot kan.
- De gesprekken met docent en praktijkopleider samen zorgden dat school en werk aansloten.
- Schrijf op wat je elke dag leert; dat helpt bij de reflectieverslagen.
""",
    replies=[
        dict(author="docent@rijnland.example", body="""\
Mooi verslag, Lotte. De driehoeksgesprekken willen we vaker zo doen. Zullen we je reflectie
gebruiken als voorbeeld voor de studenten die volgend jaar op stage gaan?"""),
        dict(author="lector@hogeschooloost.example", body="""\
Interessant hoe de **testopstelling** als veilige leeromgeving werkt. In ons onderzoek naar
lerende organisaties komt dat vaker terug: ruimte om fouten te maken zonder gevolgen voor de
klant."""),
        dict(author="student@rijnland.example", body="""\
@<docent@rijnland.example> ja, graag! Ik kan er ook een paar foto's van de testopstelling bij
doen, als Brouwer dat goed vindt."""),
    ],
)

CASES = [CNC_CASE, COBOT_CASE, PLC_CASE]

# --- discussions --------------------------------------------------------------------------------
# Reply options: quote (index of an earlier reply in this list), helpful_by (emails that mark it
# helpful), accepted (the discussion's author marks it as the answer).

WELCOME = dict(
    community="smart-maintenance-oost",
    author="coordinator@leerkring.example",
    pinned_by="coordinator@leerkring.example",
    title="Welkom! Stel je voor en vertel waar je aan werkt",
    body="""\
Fijn dat je er bent in **Smart Maintenance Oost**. Stel je in een paar zinnen voor:

- wie je bent en waar je werkt of studeert
- aan welk onderhoudsvraagstuk je nu werkt
- wat je hier hoopt te leren of te delen

@<onderhoud@twente.example> en @<lector@hogeschooloost.example>, willen jullie de spits afbijten?
""",
    replies=[
        dict(author="onderhoud@twente.example", body="""\
Ik ben Fenna, hoofd onderhoud bij Twentse Onderhoudstechniek in Hengelo. We zijn bezig om van
correctief naar voorspellend onderhoud te gaan; onze eerste ervaringen staan in de casus over
de CNC-lijn."""),
        dict(author="lector@hogeschooloost.example", body="""\
Noor Hendriks, lector Smart Maintenance bij Hogeschool Oost-Nederland. Ik zoek bedrijven die
een afstudeerder willen begeleiden rond onderhoudsdata. Ook kleine vragen zijn welkom!"""),
        dict(author="student@rijnland.example", body="""\
Hoi, ik ben Lotte, mbo-student elektrotechniek. Ik wil graag meer leren over sensoren en
storingsanalyse, en misschien mijn volgende stage in onderhoud doen."""),
        dict(author="hr@vandermeer.example", body="""\
Sanne de Vries, HR bij Van der Meer Metaalbewerking. Ik kijk mee hoe we onze monteurs kunnen
laten doorgroeien in onderhoud en data."""),
    ],
)

SENSOR_DATA = dict(
    community="smart-maintenance-oost",
    author="hr@vandermeer.example",
    title="Hoe krijg je monteurs mee in het werken met sensordata?",
    body="""\
Bij ons hangen sinds kort sensoren op de compressoren, maar de monteurs kijken er nauwelijks
naar. "Ik hoor het wel als er iets mis is", zegt een van hen. Begrijpelijk, maar zonde van de
investering. **Hoe hebben jullie je team meegekregen?**
""",
    replies=[
        dict(author="onderhoud@twente.example", helpful_by=["hr@vandermeer.example", "lector@hogeschooloost.example"],
             accepted=True, body="""\
Wat bij ons werkte: laat ze **niet kiezen tussen gehoor en data**, maar combineer die twee.
Bij elk alarm gaat eerst een monteur luisteren en voelen, en daarna bespreken we samen de grafiek.
Na een paar keer zagen ze dat de sensor het eerder zag dan zij. Daarnaast:

- een vast half uur per week samen de trends bekijken
- de grenswaarden door het team zelf laten bepalen
- successen vieren: elke voorkomen storing op het whiteboard"""),
        dict(author="lector@hogeschooloost.example", helpful_by=["hr@vandermeer.example"], body="""\
Uit ons onderzoek: de ervaring van monteurs is juist nodig om de data te duiden. Maak ze
*eigenaar* van de metingen in plaats van gebruiker van een systeem dat iemand anders heeft
gekozen."""),
        dict(author="student@rijnland.example", body="""\
Misschien kunnen jongere collega's of stagiairs de monteurs helpen met de software, en leren de
monteurs hen wat ze horen en voelen? Dan leren beide kanten iets."""),
        dict(author="hr@vandermeer.example", body="""\
Dank jullie wel, dit helpt! We gaan beginnen met een vast weekmoment en laten de monteurs de
grenswaarden zelf instellen. Ik laat over een paar maanden weten hoe het gaat."""),
    ],
)

ROBOT_OR_COBOT = dict(
    community="lasautomatisering-cobots",
    author="lasser@vandermeer.example",
    title="Lasrobot of cobot voor kleine series?",
    body="""\
We krijgen steeds meer orders van 20 tot 100 stuks met veel verschillende producten. Een
klassieke lasrobot met een afgeschermde cel voelt als overkill, maar is een cobot wel stevig
genoeg voor ons werk (plaatdikte 3 tot 10 mm)? Wie heeft ervaring met beide?
""",
    replies=[
        dict(author="docent@rijnland.example", body="""\
Voor kleine series met veel wisselingen is een cobot vaak de betere keuze: je programmeert hem
door hem met de hand langs de naad te leiden. Let wel op de **inschakelduur** van de lasbron en
de afzuiging; die worden vaak vergeten."""),
        dict(author="hr@vandermeer.example", body="""\
Wij gebruiken onze cobot ook als leermiddel voor nieuwe lassers, zie de casus over inwerken.
Dat was voor ons een belangrijk argument om geen afgeschermde robotcel te nemen."""),
        dict(author="lasser@vandermeer.example", quote=0, body="""\
Goed punt over de afzuiging, daar hadden we nog niet aan gedacht. Weet iemand of er regels zijn
voor afzuiging bij een cobot die naast een handlasplek staat?"""),
        dict(author="coordinator@leerkring.example", body="""\
Daar staat informatie over in de arbocatalogus van de branche. Ik zet de link in een aparte
discussie, en nodig een arbodeskundige uit voor de volgende bijeenkomst."""),
        dict(author="student@rijnland.example", body="""\
Op school hebben we sinds dit jaar ook een cobot. Het programmeren door voordoen is inderdaad
veel makkelijker dan ik had verwacht."""),
    ],
)

DISCUSSIONS = [WELCOME, SENSOR_DATA, ROBOT_OR_COBOT]
