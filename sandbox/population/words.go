package population

// Tenor-style names: an adjective as the given name and a noun as the family
// name, in upper case as Folkeregisteret returns them ("VAKKER BLOMST").
var adjectives = [...]string{
	"VAKKER", "FORSTÅELSESFULL", "GLAD", "MODIG", "SNILL", "STILLE", "ROLIG", "RASK", "STERK", "KLOK",
	"LYS", "MØRK", "VARM", "KJØLIG", "BLID", "SPRETTEN", "FROSSEN", "SOLID", "LUNEFULL", "HØFLIG",
	"ÆRLIG", "TREG", "SULTEN", "MØKKETE", "PYNTELIG", "ALVORLIG", "LEKEN", "HJELPSOM", "TØFF", "MYK",
	"HARD", "SMIDIG", "STOLT", "SKEPTISK", "NYSGJERRIG", "TÅLMODIG", "SJENERT", "FRODIG", "GRØNN", "BLÅ",
	"RØD", "GUL", "BRUN", "HVIT", "GRÅ", "ROSA", "FIOLETT", "OPPRIKTIG", "RAUS", "GJERRIG",
	"FLITTIG", "LAT", "BESKJEDEN", "FREKK", "DRISTIG", "FORSIKTIG", "LETTSINDIG", "PRAKTISK", "KREATIV", "ORDENTLIG",
	"UFORSKAMMET", "VENNLIG", "FORNUFTIG", "SPONTAN", "GJESTFRI", "OPPMERKSOM", "TRYGG", "UNDRENDE", "VILLIG", "VÅKEN",
	"SØVNIG", "ROBUST", "SKJØR", "TRIVELIG", "KOSELIG", "LUNKEN", "HEFTIG", "SEIG", "SPINKEL", "STØDIG",
	"LYDHØR", "LOJAL", "KLAR", "UKLAR", "STRIDIG", "ETTERTENKSOM", "IHERDIG", "JEVN", "BEHAGELIG", "BLANK",
	"FIN", "FRISK", "GAMMEL", "NY", "UNG", "LITEN", "STOR", "LANG", "KORT", "BRED",
	"SMAL", "TYKK", "TYNN", "TUNG", "LETT", "HØY", "LAV", "DYP", "GRUNN", "SKARP",
	"BUTT", "GLATT", "RU", "SØT", "SUR", "SALT", "BITTER", "KRYDRET", "SAFTIG", "TØRR",
}

var nouns = [...]string{
	"BLOMST", "RULLETRAPP", "BJØRK", "ELV", "FJELL", "BRO", "STJERNE", "KATT", "HEST", "SKY",
	"VIND", "STEIN", "SKOG", "EIK", "FURU", "GRAN", "ROGN", "LØNN", "SEILBÅT", "FERJE",
	"SYKKEL", "TRAKTOR", "LAMPE", "STOL", "BORD", "SOFA", "KOPP", "SKJE", "GAFFEL", "KNIV",
	"PANNE", "GRYTE", "BOLLE", "VAFFEL", "PØLSE", "OST", "BRØDSKIVE", "ROSIN", "GULROT", "POTET",
	"KÅLROT", "ERT", "BØNNE", "EPLE", "PÆRE", "PLOMME", "KIRSEBÆR", "JORDBÆR", "BLÅBÆR", "MOLTE",
	"TYTTEBÆR", "HASSELNØTT", "EKORN", "REV", "ELG", "HJORT", "RÅDYR", "HARE", "GAUPE", "JERV",
	"BJØRN", "ULV", "ØRN", "MÅKE", "KRÅKE", "SKJÆRE", "SPURV", "MEIS", "TROST", "UGLE",
	"LAKS", "TORSK", "SEI", "MAKRELL", "SILD", "REKE", "KRABBE", "HUMMER", "MANET", "SJØSTJERNE",
	"FYRTÅRN", "BRYGGE", "NAUST", "HYTTE", "LÅVE", "STABBUR", "KIRKE", "SKOLE", "TOGSTASJON", "BUSSHOLDEPLASS",
	"PARAPLY", "VOTT", "LUE", "SKJERF", "STØVEL", "SOKK", "GENSER", "JAKKE", "BUKSE", "SKJORTE",
	"BOK", "AVIS", "BLYANT", "VISKELÆR", "LINJAL", "SAKS", "TAPE", "LIM", "PENSEL", "MALING",
	"GITAR", "FIOLIN", "TROMME", "FLØYTE", "TROMPET", "PIANO", "HARPE", "KLOKKE", "SPEIL", "VINDU",
}

// municipality is a kommune with some of its postal codes.
type municipality struct {
	number string // four digits
	name   string
	weight int // share of the population, per mille
	posts  []postPlace
}

type postPlace struct{ code, place string }

// municipalities: the primary one, Bergen, and a few others. Numbers are
// those in force from 2024.
var municipalities = [...]municipality{
	{"4601", "BERGEN", 700, []postPlace{
		{"5003", "BERGEN"}, {"5006", "BERGEN"}, {"5011", "BERGEN"}, {"5031", "BERGEN"}, {"5052", "BERGEN"},
		{"5089", "BERGEN"}, {"5093", "BERGEN"}, {"5106", "ØVRE ERVIK"}, {"5131", "NYBORG"}, {"5141", "FYLLINGSDALEN"},
		{"5221", "NESTTUN"}, {"5232", "PARADIS"}, {"5258", "BLOMSTERDALEN"}, {"5155", "BØNES"},
	}},
	{"4627", "ASKØY", 40, []postPlace{{"5300", "KLEPPESTØ"}, {"5307", "ASK"}}},
	{"4626", "ØYGARDEN", 35, []postPlace{{"5353", "STRAUME"}, {"5360", "KOLLTVEIT"}}},
	{"4631", "ALVER", 30, []postPlace{{"5914", "ISDALSTØ"}, {"5918", "FREKHAUG"}}},
	{"4624", "BJØRNAFJORDEN", 25, []postPlace{{"5200", "OS"}, {"5206", "OS"}}},
	{"0301", "OSLO", 70, []postPlace{{"0150", "OSLO"}, {"0354", "OSLO"}, {"0458", "OSLO"}, {"0555", "OSLO"}, {"0661", "OSLO"}, {"0758", "OSLO"}}},
	{"5001", "TRONDHEIM", 35, []postPlace{{"7010", "TRONDHEIM"}, {"7030", "TRONDHEIM"}, {"7045", "TRONDHEIM"}}},
	{"1103", "STAVANGER", 35, []postPlace{{"4006", "STAVANGER"}, {"4010", "STAVANGER"}, {"4016", "STAVANGER"}}},
	{"4204", "KRISTIANSAND", 15, []postPlace{{"4608", "KRISTIANSAND S"}, {"4614", "KRISTIANSAND S"}}},
	{"5501", "TROMSØ", 15, []postPlace{{"9008", "TROMSØ"}, {"9019", "TROMSØ"}}},
}

// PrimaryMunicipality is the kommunenummer of the municipality most of the
// population lives in: 4601 Bergen.
const PrimaryMunicipality = "4601"

var streets = [...]string{
	"Storgata", "Kirkegata", "Skoleveien", "Bjørkeveien", "Granveien", "Fjellveien", "Solbakken", "Åsveien",
	"Kongens gate", "Dronningens gate", "Strandgaten", "Nygårdsgaten", "Møllendalsveien", "Fjøsangerveien", "Sandviksveien", "Haukelandsveien",
	"Lyngbøveien", "Lønborglien", "Kalfarveien", "Hagebyveien", "Eikelundsveien", "Rosenbergsgaten", "Tollbodallmenningen", "Nordnesveien",
	"Fageråsen", "Furubakken", "Blåbærstien", "Tyttebærveien", "Lyngveien", "Sjøgaten", "Havnegata", "Bakkegata",
	"Torget", "Parkveien", "Elveveien", "Utsikten", "Heiveien", "Lien", "Nedre Bakken", "Øvre Bakken",
}

// foreign citizenships of D-number holders (ISO 3166-1 alpha-3).
var foreignCountries = [...]string{"POL", "LTU", "SWE", "DEU", "ROU", "UKR", "LVA", "ESP", "DNK", "FIN", "GBR", "ITA", "PRT", "BGR"}
