package sampledata

// This file contains the vocabularies the generator draws from. Names are
// invented for the sample data. Codes are real LOINC, SNOMED CT and RxNorm
// codes with their display text, so mappings see realistic coded values.

// person is a hand-written identity: the first patients and all
// practitioners, so every name variety appears regardless of the random draw.
type person struct {
	prefix, given, middle, family, suffix string // "" is NULL
	sex                                   string
	birth                                 string // YYYY-MM-DD, patients only
	noPhone                               bool
	specialty                             string // practitioners only
}

var practitionerPeople = []person{
	{prefix: "Dr.", given: "Adaeze", family: "Okafor", suffix: "MD", specialty: "Family Medicine"},
	{prefix: "Dr.", given: "Inés", family: "Fernández", suffix: "MD", specialty: "Pediatrics"},
	{prefix: "Dr.", given: "Rajesh", middle: "Kumar", family: "Patel", suffix: "MD", specialty: "Internal Medicine"},
	{prefix: "Dr.", given: "Mei", family: "Tanaka", suffix: "DO", specialty: "Cardiology"},
	{prefix: "Dr.", given: "Liam", family: "O'Connor", suffix: "MD", specialty: "Emergency Medicine"},
	{given: "Dana", middle: "Lee", family: "Whitfield", suffix: "NP", specialty: "Family Nurse Practitioner"},
	{prefix: "Dr.", given: "Kwame", family: "Mensah", suffix: "MD", specialty: "Pulmonology"},
	{prefix: "Dr.", given: "Élodie", family: "Marchand", suffix: "MD", specialty: "Endocrinology"},
	{prefix: "Dr.", given: "Priya", family: "Raman-Iyer", suffix: "MD", specialty: "Hospital Medicine"},
	{given: "Jordan", family: "Blake", suffix: "PA-C", specialty: "Emergency Medicine"},
}

// showcasePatients are the first patients, one or more per name variety.
var showcasePatients = []person{
	{prefix: "Ms.", given: "Zoë", middle: "Anne", family: "Müller", sex: "F", birth: "1988-04-12"},
	{prefix: "Mr.", given: "Łukasz", family: "Kowalski", sex: "M", birth: "1975-11-03"},
	{prefix: "Ms.", given: "Thảo", middle: "Minh", family: "Nguyễn", sex: "F", birth: "1992-07-21"},
	{prefix: "Mr.", given: "José", middle: "Luis", family: "Ramírez", suffix: "Jr.", sex: "M", birth: "1969-02-28"},
	{prefix: "Dr.", given: "Søren", family: "Østergaard", sex: "M", birth: "1958-09-09"},
	{prefix: "Mrs.", given: "Siobhan", middle: "Mary", family: "O'Brien", sex: "F", birth: "1934-12-30"},
	{prefix: "Mx.", given: "Alex", family: "Smith-Jones", sex: "O", birth: "2001-05-17"},
	{prefix: "Ms.", given: "Renée", family: "D'Angelo", sex: "F", birth: "1981-08-08"},
	{prefix: "Mr.", given: "Robert", middle: "James", family: "Johnson", suffix: "III", sex: "M", birth: "1947-03-15"},
	{prefix: "Mx.", given: "Sam", family: "Taylor", sex: "U", birth: "1996-10-01", noPhone: true},
	{given: "Chloé", middle: "Rose", family: "Dubois", sex: "F", birth: "2024-02-11"},
	{given: "Björn", family: "Lindqvist", sex: "M", birth: "2018-06-30"},
	{prefix: "Mr.", given: "Arthur", family: "Whitaker", suffix: "Sr.", sex: "M", birth: "1930-01-19", noPhone: true},
}

var (
	givenNamesF = []string{
		"Emma", "Olivia", "Ava", "Maya", "Amara", "Fatima", "Grace", "Hannah", "Isabel", "Julia",
		"Leah", "Lucía", "Nora", "Sofia", "Yuki", "Ingrid", "Aisha", "Clara", "Eleni", "Marisol",
	}
	givenNamesM = []string{
		"Liam", "Noah", "Ethan", "Mateo", "Omar", "David", "Daniel", "Hiroshi", "Kofi", "Lucas",
		"Marco", "Nikolai", "Oscar", "Pedro", "Samuel", "Tomás", "William", "Yusuf", "Anders", "Chen",
	}
	givenNamesX = []string{"Avery", "Jordan", "Riley", "Quinn", "Rowan", "Sasha"}
	middleNames = []string{"Marie", "Lee", "James", "Ann", "Elena", "Joseph", "Kai", "Rose", "Ali", "Jean"}
	familyNames = []string{
		"Smith", "Garcia", "Brown", "Wilson", "Anderson", "Thomas", "Martinez", "Robinson", "Clark",
		"Lewis", "Walker", "Hall", "Young", "King", "Wright", "Lopez", "Hill", "Scott", "Green",
		"Adams", "Baker", "Nelson", "Carter", "Mitchell", "Perez", "Roberts", "Turner", "Phillips",
		"Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Rogers", "Reed",
		"Cook", "Morgan", "Bell", "Murphy", "Bailey", "Rivera", "Cooper", "Richardson", "Cox",
		"Howard", "Ward", "Torres", "Peterson", "Gray", "Ramirez", "James", "Watson", "Brooks",
		"Kelly", "Sanders", "Price", "Bennett", "Wood", "Barnes", "Ross", "Henderson", "Coleman",
		"Jenkins", "Perry", "Powell", "Long", "Patterson", "Hughes", "Flores", "Washington",
		"Schäfer", "Jiménez", "Nowak", "Kim", "Haddad", "Mbeki", "Fitzgerald-Hayes", "O'Neill",
		"MacLeod", "Van der Berg", "Yılmaz", "Åberg", "Dvořák", "Trần", "Okonkwo", "DeLuca",
	}
	suffixes = []string{"Jr.", "Sr.", "II", "III"}
	streets  = []string{
		"Maple Street", "Oak Avenue", "Cedar Lane", "Harbor Road", "Elm Court", "Birch Way",
		"Lakeview Drive", "Mill Pond Road", "Quarry Hill Road", "Orchard Street",
	}
	unitLines = []string{"Apt 4B", "Unit 12", "Apt 201", "Suite 3", "Floor 2"}
)

// city is a town of the sample addresses, with a matching area code for the
// phone numbers. The phone numbers use 555-0100 to 555-0199, the range
// reserved for fictional use.
type city struct {
	name, state, postalCode, areaCode string
}

var cities = []city{
	{"Boston", "MA", "02118", "617"},
	{"Springfield", "IL", "62704", "217"},
	{"Portland", "OR", "97205", "503"},
	{"Austin", "TX", "78701", "512"},
	{"Madison", "WI", "53703", "608"},
	{"Burlington", "VT", "05401", "802"},
	{"Denver", "CO", "80203", "303"},
	{"Columbus", "OH", "43215", "614"},
}

// locationRows are the sample locations, with the kind column.
var locationRows = []struct{ name, kind string }{
	{"Ward 3 East", "ward"},
	{"Ward 4 West", "ward"},
	{"Intensive Care Unit", "icu"},
	{"Emergency Department", "emergency"},
	{"Clinic Room 101", "clinic-room"},
	{"Clinic Room 102", "clinic-room"},
	{"Clinic Room 103", "clinic-room"},
	{"Pediatric Clinic Room 2", "clinic-room"},
}

// Location ids by use, matching the order of locationRows.
var (
	wardLocations      = []int64{1, 2, 3}
	emergencyLocation  = int64(4)
	adultClinicRooms   = []int64{5, 6, 7}
	pediatricClinicRom = int64(8)
)

type coding struct{ code, display string }

// Encounter types (SNOMED CT).
var (
	encounterCheckUp    = coding{"185349003", "Encounter for check up"}
	encounterFollowUp   = coding{"390906007", "Follow-up encounter"}
	encounterEmergency  = coding{"50849002", "Emergency room admission"}
	encounterAdmission  = coding{"32485007", "Hospital admission"}
	encounterTelehealth = coding{"448337001", "Telemedicine consultation with patient"}
)

// vitalDisplay is the LOINC display text of each vital-sign code, with its
// UCUM unit.
var vitalDisplay = map[string]struct{ display, unit string }{
	LOINCHeartRate:       {"Heart rate", "/min"},
	LOINCRespiratoryRate: {"Respiratory rate", "/min"},
	LOINCBodyTemperature: {"Body temperature", "Cel"},
	LOINCBodyWeight:      {"Body weight", "kg"},
	LOINCBodyHeight:      {"Body height", "cm"},
	LOINCBMI:             {"Body mass index (BMI) [Ratio]", "kg/m2"},
	LOINCOxygenSat:       {"Oxygen saturation in Arterial blood by Pulse oximetry", "%"},
	LOINCBloodPressure:   {"Blood pressure panel with all children optional", "mm[Hg]"},
}

// drug is a medication (RxNorm clinical drug) with its usual dosage text.
type drug struct {
	coding
	dosage string
}

var (
	lisinopril    = drug{coding{"314076", "lisinopril 10 MG Oral Tablet"}, "Take 1 tablet by mouth once daily"}
	amlodipine    = drug{coding{"197361", "amlodipine 5 MG Oral Tablet"}, "Take 1 tablet by mouth once daily"}
	metformin     = drug{coding{"861007", "metformin hydrochloride 500 MG Oral Tablet"}, "Take 1 tablet by mouth twice daily with meals"}
	simvastatin   = drug{coding{"312961", "simvastatin 20 MG Oral Tablet"}, "Take 1 tablet by mouth at bedtime"}
	albuterol     = drug{coding{"745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"}, "Inhale 2 puffs every 4 to 6 hours as needed for wheezing"}
	fluticasone   = drug{coding{"895994", "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler"}, "Inhale 2 puffs twice daily"}
	fluoxetine    = drug{coding{"310385", "fluoxetine 20 MG Oral Capsule"}, "Take 1 capsule by mouth every morning"}
	levothyroxine = drug{coding{"966222", "levothyroxine sodium 0.05 MG Oral Tablet"}, "Take 1 tablet by mouth every morning before breakfast"}
	warfarin      = drug{coding{"855332", "warfarin sodium 5 MG Oral Tablet"}, "Take 1 tablet by mouth once daily in the evening"}
	furosemide    = drug{coding{"313988", "furosemide 40 MG Oral Tablet"}, "Take 1 tablet by mouth once daily"}
	amoxicillin   = drug{coding{"308182", "amoxicillin 250 MG Oral Capsule"}, "Take 1 capsule by mouth three times daily for 10 days"}
	ibuprofen     = drug{coding{"310965", "ibuprofen 200 MG Oral Tablet"}, "Take 1 to 2 tablets by mouth every 6 hours as needed for pain"}
	acetaminophen = drug{coding{"313782", "acetaminophen 325 MG Oral Tablet"}, "Take 2 tablets by mouth every 6 hours as needed for fever"}
	naproxen      = drug{coding{"849574", "naproxen sodium 220 MG Oral Tablet"}, "Take 1 tablet by mouth every 12 hours as needed for pain"}
	omeprazole    = drug{coding{"198053", "omeprazole 20 MG Delayed Release Oral Capsule"}, "Take 1 capsule by mouth once daily before breakfast"}
	sumatriptan   = drug{coding{"313167", "sumatriptan 50 MG Oral Tablet"}, "Take 1 tablet by mouth at migraine onset, may repeat once after 2 hours"}
)

// conditionKind is a condition the generator may assign, with the ages it
// fits and the drugs that treat it.
type conditionKind struct {
	coding
	chronic        bool
	minAge, maxAge int
	drugs          []drug
}

var conditionKinds = []conditionKind{
	{coding{"38341003", "Hypertensive disorder, systemic arterial"}, true, 25, 120, []drug{lisinopril, amlodipine}},
	{coding{"44054006", "Diabetes mellitus type 2"}, true, 30, 120, []drug{metformin}},
	{coding{"55822004", "Hyperlipidemia"}, true, 30, 120, []drug{simvastatin}},
	{coding{"195967001", "Asthma"}, true, 3, 120, []drug{albuterol, fluticasone}},
	{coding{"13645005", "Chronic obstructive lung disease"}, true, 45, 120, []drug{albuterol}},
	{coding{"35489007", "Depressive disorder"}, true, 14, 120, []drug{fluoxetine}},
	{coding{"40930008", "Hypothyroidism"}, true, 20, 120, []drug{levothyroxine}},
	{coding{"49436004", "Atrial fibrillation"}, true, 55, 120, []drug{warfarin}},
	{coding{"84114007", "Heart failure"}, true, 55, 120, []drug{furosemide}},
	{coding{"235595009", "Gastroesophageal reflux disease"}, true, 18, 120, []drug{omeprazole}},
	{coding{"37796009", "Migraine"}, true, 12, 70, []drug{sumatriptan}},
	{coding{"396275006", "Osteoarthritis"}, true, 45, 120, []drug{naproxen}},
	{coding{"65363002", "Otitis media"}, false, 0, 10, []drug{amoxicillin}},
	{coding{"444814009", "Viral sinusitis"}, false, 2, 120, []drug{acetaminophen}},
	{coding{"10509002", "Acute bronchitis"}, false, 2, 120, []drug{acetaminophen}},
	{coding{"24079001", "Atopic dermatitis"}, true, 0, 40, nil},
	{coding{"233604007", "Pneumonia"}, false, 0, 120, []drug{amoxicillin}},
	{coding{"68566005", "Urinary tract infectious disease"}, false, 16, 120, []drug{amoxicillin}},
	{coding{"62315008", "Diarrhea"}, false, 0, 120, nil},
	{coding{"271737000", "Anemia"}, true, 10, 120, nil},
	{coding{"44465007", "Sprain of ankle"}, false, 8, 80, []drug{ibuprofen}},
}

// allergen is a substance of the allergies table, with a typical reaction.
type allergen struct {
	system string
	coding
	category string
	reaction string
}

var allergens = []allergen{
	{SystemRxNorm, coding{"7980", "Penicillin G"}, "medication", "Hives"},
	{SystemRxNorm, coding{"723", "Amoxicillin"}, "medication", "Rash"},
	{SystemRxNorm, coding{"1191", "Aspirin"}, "medication", "Wheezing"},
	{SystemRxNorm, coding{"5640", "Ibuprofen"}, "medication", "Swelling of lips"},
	{SystemRxNorm, coding{"10180", "Sulfamethoxazole"}, "medication", "Rash"},
	{SystemRxNorm, coding{"2670", "Codeine"}, "medication", "Nausea and vomiting"},
	{SystemSNOMED, coding{"762952008", "Peanut"}, "food", "Anaphylaxis"},
	{SystemSNOMED, coding{"102263004", "Eggs"}, "food", "Hives"},
	{SystemSNOMED, coding{"3718001", "Cow's milk"}, "food", "Abdominal pain"},
	{SystemSNOMED, coding{"111088007", "Latex"}, "environment", "Contact dermatitis"},
	{SystemSNOMED, coding{"256277009", "Grass pollen"}, "environment", "Sneezing and itchy eyes"},
	{SystemSNOMED, coding{"260147004", "House dust mite"}, "environment", "Nasal congestion"},
	{SystemSNOMED, coding{"264287008", "Animal dander"}, "environment", "Wheezing"},
}

var allergyNotes = []string{
	"Reaction reported by the patient, not observed in clinic.",
	"Carries an epinephrine auto-injector.",
	"Tolerated cephalosporins without reaction.",
	"Reaction occurred in childhood.",
}

// payer is an insurance payer of the coverages table. Payer names other than
// Medicare and Medicaid are invented.
type payer struct {
	name, idPrefix string
	plans          []string
	hasGroup       bool
}

var (
	medicare       = payer{"Medicare", "1EG4", []string{"Part A and B"}, false}
	medicaid       = payer{"Medicaid", "MCD", []string{"Standard Plan"}, false}
	commercialPays = []payer{
		{"Northwind Health Plan", "NWH", []string{"Gold PPO", "Silver HMO"}, true},
		{"Contoso Mutual Insurance", "CMI", []string{"Choice PPO", "Essential EPO"}, true},
		{"Fabrikam Care", "FBC", []string{"Bronze HSA", "Family HMO"}, true},
	}
)
