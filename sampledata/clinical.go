package sampledata

import (
	"time"
)

// addEncounters adds two to five past encounters, ordered by start time, and
// an inpatient stay still in progress (NULL end time) when inProgress is set.
func (g *generator) addEncounters(p Patient, inProgress bool) []Encounter {
	first := p.BirthDate.AddDate(0, 0, 3)
	if first.Before(dataStart) {
		first = dataStart
	}
	last := dataEnd.AddDate(0, 0, -10)
	count := 2 + g.rng.IntN(4)
	step := last.Sub(first) / time.Duration(count)

	var out []Encounter
	for i := range count {
		day := first.Add(step*time.Duration(i) + time.Duration(g.rng.Int64N(int64(step))))
		out = append(out, g.addEncounter(p, dateOf(day), ""))
	}
	if inProgress {
		out = append(out, g.addEncounter(p, dataEnd.AddDate(0, 0, -2), "IMP"))
	}
	return out
}

// addEncounter adds one encounter on day. An empty class is drawn at random.
func (g *generator) addEncounter(p Patient, day time.Time, class string) Encounter {
	e := Encounter{ID: int64(len(g.ds.Encounters) + 1), PatientID: p.ID, Status: "finished"}
	child := ageAt(p.BirthDate, day) < 16
	if class == "" {
		class = pick(g.rng, []string{"AMB", "AMB", "AMB", "AMB", "AMB", "AMB", "AMB", "EMER", "EMER", "IMP"})
	}
	e.Class = class

	var length time.Duration
	switch class {
	case "AMB":
		e.StartTime = day.Add(time.Duration(13*60+g.rng.IntN(8*4)*15) * time.Minute) // 13:00 to 20:45 UTC, office hours at UTC-5
		length = time.Duration(15+g.rng.IntN(40)) * time.Minute
		e.LocationID, e.TypeCode, e.TypeDisplay = g.clinicVisit(child)
	case "EMER":
		e.StartTime = day.Add(time.Duration(g.rng.IntN(24*60)) * time.Minute)
		length = time.Duration(2*60+g.rng.IntN(6*60)) * time.Minute
		e.LocationID = ptr(emergencyLocation)
		e.TypeCode, e.TypeDisplay = encounterEmergency.code, encounterEmergency.display
	default:
		e.StartTime = day.Add(time.Duration(g.rng.IntN(24*60)) * time.Minute)
		length = time.Duration(24+g.rng.IntN(5*24)) * time.Hour
		e.LocationID = ptr(pick(g.rng, wardLocations))
		e.TypeCode, e.TypeDisplay = encounterAdmission.code, encounterAdmission.display
	}

	if g.rng.Float64() < 0.9 {
		e.PractitionerID = ptr(g.encounterPractitioner(class, child))
	}
	if day.Equal(dataEnd.AddDate(0, 0, -2)) {
		e.Status = "in-progress"
		e.UpdatedAt = g.updatedAt(e.ID, e.StartTime)
	} else {
		end := e.StartTime.Add(length)
		e.EndTime = &end
		e.UpdatedAt = g.updatedAt(e.ID, end)
	}
	g.ds.Encounters = append(g.ds.Encounters, e)
	return e
}

// clinicVisit returns the room and type of an ambulatory visit. One visit in
// fifteen is a telehealth call, with no location.
func (g *generator) clinicVisit(child bool) (*int64, string, string) {
	switch r := g.rng.Float64(); {
	case r < 1.0/15:
		return nil, encounterTelehealth.code, encounterTelehealth.display
	case child:
		return ptr(pediatricClinicRom), encounterCheckUp.code, encounterCheckUp.display
	case r < 0.6:
		return ptr(pick(g.rng, adultClinicRooms)), encounterCheckUp.code, encounterCheckUp.display
	default:
		return ptr(pick(g.rng, adultClinicRooms)), encounterFollowUp.code, encounterFollowUp.display
	}
}

func (g *generator) encounterPractitioner(class string, child bool) int64 {
	switch {
	case class == "EMER":
		return pick(g.rng, []int64{5, 10})
	case child:
		return 2
	case class == "IMP":
		return pick(g.rng, []int64{9, 3, 7})
	default:
		return pick(g.rng, []int64{1, 3, 4, 6, 7, 8})
	}
}

// baseline is a patient's usual adult body and blood pressure, which each
// encounter varies a little.
type baseline struct {
	heightCm     float64 // adult height
	bmi          float64
	systolic     float64
	hypertensive bool
	lowOxygen    bool // chronic lung disease
}

func (g *generator) newBaseline(p Patient) baseline {
	height := map[string]float64{"F": 163, "M": 177}[p.Sex]
	if height == 0 {
		height = 170
	}
	b := baseline{
		heightCm: height + g.rng.NormFloat64()*7,
		bmi:      between(g.rng, 19, 36),
		systolic: between(g.rng, 105, 135),
	}
	if ageAt(p.BirthDate, dataEnd) >= 40 && g.rng.Float64() < 0.35 {
		b.hypertensive = true
		b.systolic = between(g.rng, 138, 165)
	}
	return b
}

// addVitalSigns adds one set of vital signs, measured early in the
// encounter. Telehealth visits have none. Infants get no BMI or blood
// pressure.
func (g *generator) addVitalSigns(p Patient, e Encounter, b *baseline) {
	if e.LocationID == nil {
		return
	}
	at := e.StartTime.Add(time.Duration(5+g.rng.IntN(35)) * time.Minute)
	status := "final"
	if e.Status == "in-progress" {
		status = "preliminary"
	} else if g.rng.Float64() < 0.04 {
		status = "amended"
	}
	updated := g.updatedAt(int64(len(g.ds.VitalSigns)+1), at)
	add := func(code string, value float64) {
		g.addVital(p, e, code, at, status, updated, &value, nil, nil)
	}

	months := int(at.Sub(p.BirthDate).Hours() / 24 / 30.44)
	v := g.vitalValues(months, e.Class, b)
	add(LOINCHeartRate, v.heartRate)
	add(LOINCRespiratoryRate, v.respiratoryRate)
	add(LOINCBodyTemperature, v.temperature)
	add(LOINCBodyWeight, v.weight)
	add(LOINCBodyHeight, v.height)
	add(LOINCOxygenSat, v.oxygenSat)
	if months >= 24 {
		add(LOINCBMI, round(v.weight/((v.height/100)*(v.height/100)), 1))
		g.addVital(p, e, LOINCBloodPressure, at, status, updated, nil, &v.systolic, &v.diastolic)
	}
}

func (g *generator) addVital(p Patient, e Encounter, code string, at time.Time, status string,
	updated time.Time, value, systolic, diastolic *float64,
) {
	meta := vitalDisplay[code]
	g.ds.VitalSigns = append(g.ds.VitalSigns, VitalSign{
		ID:            int64(len(g.ds.VitalSigns) + 1),
		PatientID:     p.ID,
		EncounterID:   ptr(e.ID),
		LOINCCode:     code,
		LOINCDisplay:  meta.display,
		Value:         value,
		Unit:          meta.unit,
		Systolic:      systolic,
		Diastolic:     diastolic,
		EffectiveTime: at,
		Status:        status,
		UpdatedAt:     updated,
	})
}

// vitals is one set of measurements, rounded as a clinic records them.
type vitals struct {
	heartRate, respiratoryRate, temperature, weight, height, oxygenSat float64
	systolic, diastolic                                                float64
}

// vitalValues draws values that fit the age in months: infant, child,
// teenager or adult ranges. Emergency visits may show fever and a faster
// pulse.
func (g *generator) vitalValues(months int, class string, b *baseline) vitals {
	var v vitals
	years := float64(months) / 12
	switch {
	case months < 24:
		v.heartRate = between(g.rng, 100, 150)
		v.respiratoryRate = between(g.rng, 26, 42)
		v.weight = 3.4 + 0.6*min(float64(months), 12) + 0.2*max(float64(months)-12, 0)
		v.height = 50 + 2.2*min(float64(months), 12) + 1.0*max(float64(months)-12, 0)
	case years < 13:
		v.heartRate = between(g.rng, 75, 115)
		v.respiratoryRate = between(g.rng, 18, 28)
		v.weight = 2*years + 8
		v.height = 6*years + 77
		v.systolic = between(g.rng, 90, 112)
	case years < 18:
		v.heartRate = between(g.rng, 60, 100)
		v.respiratoryRate = between(g.rng, 14, 20)
		v.height = b.heightCm * (0.9 + 0.02*(years-13))
		v.weight = b.bmi * 0.85 * (v.height / 100) * (v.height / 100)
		v.systolic = between(g.rng, 100, 125)
	default:
		v.heartRate = between(g.rng, 58, 98)
		v.respiratoryRate = between(g.rng, 12, 20)
		v.height = b.heightCm
		v.weight = b.bmi * (b.heightCm / 100) * (b.heightCm / 100)
		v.systolic = b.systolic + g.rng.NormFloat64()*6
	}
	v.weight *= 1 + g.rng.NormFloat64()*0.02
	v.height += g.rng.NormFloat64() * 0.4
	v.temperature = between(g.rng, 36.2, 37.4)
	v.oxygenSat = between(g.rng, 96, 100.5)
	if b.lowOxygen {
		v.oxygenSat = between(g.rng, 90, 95)
	}
	if class == "EMER" && g.rng.Float64() < 0.4 {
		v.temperature = between(g.rng, 38.0, 39.4)
		v.heartRate += 15
		v.respiratoryRate += 4
	}
	v.diastolic = v.systolic*0.62 + g.rng.NormFloat64()*5

	v.heartRate = round(v.heartRate, 0)
	v.respiratoryRate = round(v.respiratoryRate, 0)
	v.temperature = round(v.temperature, 1)
	v.weight = round(v.weight, 1)
	v.height = round(v.height, 1)
	v.oxygenSat = round(min(v.oxygenSat, 100), 0)
	v.systolic = round(v.systolic, 0)
	v.diastolic = round(v.diastolic, 0)
	return v
}

// addConditions adds zero to four conditions that fit the patient's age,
// with hypertension for a hypertensive baseline.
func (g *generator) addConditions(p Patient, encounters []Encounter, b *baseline) []Condition {
	age := ageAt(p.BirthDate, dataEnd)
	var kinds []conditionKind
	if b.hypertensive {
		kinds = append(kinds, conditionKinds[0])
	}
	for range g.rng.IntN(4) {
		k := pick(g.rng, conditionKinds)
		if age < k.minAge || age > k.maxAge || containsKind(kinds, k) {
			continue
		}
		kinds = append(kinds, k)
	}

	var out []Condition
	for _, k := range kinds {
		if k.code == "13645005" {
			b.lowOxygen = true
		}
		out = append(out, g.addCondition(p, pick(g.rng, encounters), k))
	}
	return out
}

func containsKind(kinds []conditionKind, k conditionKind) bool {
	for _, have := range kinds {
		if have.code == k.code {
			return true
		}
	}
	return false
}

// addCondition adds a condition recorded at encounter e. Chronic conditions
// started before the visit, and most stay active. Acute ones are resolved.
func (g *generator) addCondition(p Patient, e Encounter, k conditionKind) Condition {
	recorded := dateOf(e.StartTime)
	c := Condition{
		ID:             int64(len(g.ds.Conditions) + 1),
		PatientID:      p.ID,
		SNOMEDCode:     k.code,
		SNOMEDDisplay:  k.display,
		ClinicalStatus: "resolved",
		RecordedDate:   recorded,
	}
	if g.rng.Float64() < 0.85 {
		c.EncounterID = ptr(e.ID)
	}
	onset := recorded.AddDate(0, 0, -g.rng.IntN(5))
	if k.chronic {
		c.ClinicalStatus = pick(g.rng, []string{"active", "active", "active", "active", "inactive", "remission"})
		onset = recorded.AddDate(0, 0, -g.rng.IntN(6*365))
	}
	if onset.Before(p.BirthDate) {
		onset = p.BirthDate
	}
	if g.rng.Float64() < 0.85 {
		c.OnsetDate = &onset
	}
	if g.rng.Float64() < 0.6 {
		c.Severity = ptr(pick(g.rng, []string{"mild", "moderate", "severe"}))
	}
	c.UpdatedAt = g.updatedAt(c.ID, e.StartTime.Add(time.Hour))
	g.ds.Conditions = append(g.ds.Conditions, c)
	return c
}

// addMedicationOrders adds an order for a drug of each condition.
func (g *generator) addMedicationOrders(p Patient, encounters []Encounter, conditions []Condition) {
	for _, c := range conditions {
		k := kindByCode(c.SNOMEDCode)
		if len(k.drugs) == 0 {
			continue
		}
		d := pick(g.rng, k.drugs)
		m := MedicationOrder{
			ID:            int64(len(g.ds.MedicationOrders) + 1),
			PatientID:     p.ID,
			EncounterID:   c.EncounterID,
			RxNormCode:    d.code,
			RxNormDisplay: d.display,
			DosageText:    d.dosage,
			WrittenDate:   c.RecordedDate,
			Status:        "active",
		}
		m.PrescriberID = g.prescriber(encounters, c.EncounterID)
		switch {
		case !k.chronic:
			m.Status = "completed"
			m.EndDate = ptr(m.WrittenDate.AddDate(0, 0, 7+g.rng.IntN(4)))
		case c.ClinicalStatus != "active":
			m.Status = pick(g.rng, []string{"stopped", "on-hold"})
			if m.Status == "stopped" {
				m.EndDate = ptr(m.WrittenDate.AddDate(0, 1+g.rng.IntN(11), 0))
			}
		}
		m.UpdatedAt = g.updatedAt(m.ID, m.WrittenDate.Add(time.Duration(14+g.rng.IntN(8))*time.Hour))
		g.ds.MedicationOrders = append(g.ds.MedicationOrders, m)
	}
}

// prescriber returns the practitioner of the order's encounter, another
// practitioner, or nil (one order in twelve, a medication the patient
// reported taking).
func (g *generator) prescriber(encounters []Encounter, encounterID *int64) *int64 {
	if g.rng.Float64() < 1.0/12 {
		return nil
	}
	for _, e := range encounters {
		if encounterID != nil && e.ID == *encounterID && e.PractitionerID != nil {
			return ptr(*e.PractitionerID)
		}
	}
	return ptr(pick(g.rng, []int64{1, 3, 6}))
}

func kindByCode(code string) conditionKind {
	for _, k := range conditionKinds {
		if k.code == code {
			return k
		}
	}
	return conditionKind{}
}

// addAllergies adds no allergy for about half of the patients, and one or
// two for the others.
func (g *generator) addAllergies(p Patient, encounters []Encounter) {
	count := 0
	switch r := g.rng.Float64(); {
	case r < 0.3:
		count = 1
	case r < 0.45:
		count = 2
	}
	seen := map[string]bool{}
	for range count {
		a := pick(g.rng, allergens)
		if seen[a.code] {
			continue
		}
		seen[a.code] = true
		g.addAllergy(p, pick(g.rng, encounters), a)
	}
}

func (g *generator) addAllergy(p Patient, e Encounter, a allergen) {
	row := Allergy{
		ID:               int64(len(g.ds.Allergies) + 1),
		PatientID:        p.ID,
		SubstanceSystem:  a.system,
		SubstanceCode:    a.code,
		SubstanceDisplay: a.display,
		Category:         a.category,
		Status:           pick(g.rng, []string{"active", "active", "active", "active", "inactive", "resolved"}),
		Verification:     pick(g.rng, []string{"confirmed", "confirmed", "confirmed", "unconfirmed"}),
		RecordedDate:     dateOf(e.StartTime),
	}
	if g.rng.Float64() < 0.85 {
		row.Reaction = ptr(a.reaction)
	}
	if a.reaction == "Anaphylaxis" {
		row.Criticality = ptr("high")
	} else if g.rng.Float64() < 0.85 {
		row.Criticality = ptr(pick(g.rng, []string{"low", "low", "high", "unable-to-assess"}))
	}
	if g.rng.Float64() < 0.3 {
		row.Note = ptr(pick(g.rng, allergyNotes))
	}
	row.UpdatedAt = g.updatedAt(row.ID, e.StartTime.Add(20*time.Minute))
	g.ds.Allergies = append(g.ds.Allergies, row)
}

// addCoverages adds the insurance: Medicare from 65, Medicaid or a
// commercial plan before, a secondary plan for some, and none (self-pay)
// for one patient in twenty.
func (g *generator) addCoverages(p Patient, firstVisit time.Time) {
	if g.rng.Float64() < 0.05 {
		return
	}
	age := ageAt(p.BirthDate, firstVisit)
	relationship := "self"
	switch {
	case age < 18:
		relationship = "child"
	case g.rng.Float64() < 0.2:
		relationship = "spouse"
	}

	primary := pick(g.rng, commercialPays)
	switch {
	case age >= 65:
		primary, relationship = medicare, "self"
	case g.rng.Float64() < 0.15:
		primary = medicaid
	}
	start := dateOf(firstVisit).AddDate(-g.rng.IntN(6), -g.rng.IntN(12), 0)
	if start.Before(p.BirthDate) {
		start = p.BirthDate
	}
	g.addCoverage(p, primary, relationship, start)
	if age >= 65 && g.rng.Float64() < 0.4 {
		g.addCoverage(p, pick(g.rng, commercialPays), "self", start)
	}
}

func (g *generator) addCoverage(p Patient, py payer, relationship string, start time.Time) {
	c := Coverage{
		ID:           int64(len(g.ds.Coverages) + 1),
		PatientID:    p.ID,
		PayerName:    py.name,
		PlanName:     pick(g.rng, py.plans),
		SubscriberID: py.idPrefix + randomDigits(g, 9),
		Relationship: relationship,
		PeriodStart:  start,
	}
	if py.hasGroup {
		c.GroupNumber = ptr("GRP-" + randomDigits(g, 5))
	}
	if g.rng.Float64() < 0.1 {
		c.PeriodEnd = ptr(dataEnd.AddDate(0, 7, 0)) // plan year ends after the data window
	}
	c.UpdatedAt = g.updatedAt(c.ID, start.Add(9*time.Hour))
	g.ds.Coverages = append(g.ds.Coverages, c)
}

func randomDigits(g *generator, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.rng.IntN(10))
	}
	return string(b)
}
