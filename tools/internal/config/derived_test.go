package config

import (
	"strings"
	"testing"
)

// The configuration joins child files and derives columns, and refuses,
// naming the setting, each way of writing them that cannot be read.
func TestDerivedColumnsAreValidated(t *testing.T) {
	t.Parallel()
	const base = "params:\n  exports:\n    federal_incidents:\n      file: TRR-main_*.csv\n"
	const children = "      children:\n        actions: {file: TRR-actions_*.csv, key: trr_id}\n"
	c := mustLoad(t, base+children+`      derived:
        use_of_force: {any: actions, where: {person: [Member Action]}}
        force_types:
          list: actions
          of: action
          values: [{from: TASER, to: TASER}, {from: "", to: ""}]
        persons_detained: {count: row, where: {Arrest: ["true"]}}
        ems_requested: {any: actions, where: {treatment: [EMS REQUESTED]}, split: {treatment: ","}}
`, nil)
	m, err := c.Mappings()
	if err != nil {
		t.Fatal(err)
	}
	rm := m["federal_incidents"]
	if len(rm.Children) != 1 || rm.ParentKey != "incident_id" || len(rm.Derived) != 4 || rm.Derived[0].Column != "ems_requested" || rm.Derived[0].Where[0].Split != "," {
		t.Errorf("mapping: %+v", rm)
	}
	for body, want := range map[string]string{
		children + "      derived: {use_of_force: {count: actions}}":                                                                 "use_of_force is a flag column: derive it with any",
		children + "      derived: {persons_injured: {count: subjects}}":                                                             `"subjects" is not one of the children (actions), nor row`,
		children + "      derived: {persons_injured: {count: actions, any: actions}}":                                                "give one of any, count or list",
		children + "      derived: {persons_detained: {count: row}}":                                                                 "a count of the row needs where",
		children + "      derived: {force_types: {list: actions, of: action}}":                                                       "a list needs of (the child's column) and values",
		children + "      derived: {force_types: {list: actions, of: a, values: [{from: X, to: GUN}]}}":                              `the code (to) "GUN" is not one of PHYSICAL`,
		children + "      derived: {force_types: {list: actions, of: a, values: [{from: x, to: \"\"}, {from: \" X \", to: TASER}]}}": `the value (from) " X " is mapped twice`,
		children + "      derived: {subject_names: {count: actions}}":                                                                "no such column that may be derived",
		children + "      derived: {occurred_at: {count: actions}}":                                                                  "no such column that may be derived",
		children + "      derived: {agents_count: {count: actions}}\n      columns: {agents_count: N}":                               "give one or the other",
		children + "      derived: {persons_injured: {count: actions, where: {a: [x]}, split: {b: ;}}}":                              "split a column of where",
		children: "no derived column reads it",
		"      children: {row: {file: x.csv, key: k}}\n      derived: {persons_injured: {count: row}}": `"row" names the main row`,
		"      children: {a: {file: ../x.csv, key: k}}\n      derived: {persons_injured: {count: a}}":  "params.exports.federal_incidents.children.a.file",
		"      parent_key: trr_id": "there are no children to join",
		children + "      derived: {persons_injured: {count: actions}}\n      generated_id: row": "the record id is generated, so name the main file's column",
		children + "      derived: {persons_injured: {cuont: actions}}":                          "did you mean count?",
	} {
		if _, err := Load(writeConfig(t, base+body+"\n"), nil, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n  %v\n  want %q", body, err, want)
		}
	}
}
