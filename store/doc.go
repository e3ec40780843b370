// Package store defines how ehrbridge keeps FHIR resources per tenant and per
// FHIR version, with version history, provenance, sync cursors and dead
// letters. Implementations live in subpackages (store/sqlite for the embedded
// default), and store/storetest holds the contract tests every
// implementation runs.
//
// Each tenant lives in its own database (a SQLite file in the embedded
// default), so a query for one tenant has no path to another tenant's rows.
// Inside a tenant, DSTU2 and STU3 resources live in separate tables, so one
// version's API cannot read the other version's resources.
//
// A resource version is written by [TenantStore.Commit] together with the
// sync cursor that produced it, in one transaction: after a crash either
// both are stored or neither is, so a re-delivered record neither duplicates
// nor loses data.
package store
