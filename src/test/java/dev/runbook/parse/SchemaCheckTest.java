package dev.runbook.parse;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixes validate suggests for names: each one follows the very rule it is suggested for. */
class SchemaCheckTest {

    private static final List<String> NAMES = List.of("my-url", "Load DB", "my url", "1st", "--", "_x", "x_", "x-",
            "DB-Host.Name", "Größe", "ünïcode", "", " ", "a--b", "a-_b", "9-9", "café au lait", "UPPER_CASE", "tab\there");

    @Test
    void everySuggestedNameMatchesItsOwnRule() {
        for (String rule : List.of(SchemaGenerator.STEP_ID, SchemaGenerator.VARIABLE, SchemaGenerator.RUNBOOK_NAME, SchemaGenerator.OUTPUT_NAME)) {
            for (String name : NAMES) {
                String fixed = SchemaCheck.inAllowedForm(name, rule, "input");
                assertTrue(fixed.matches(rule), "'" + name + "' → '" + fixed + "' does not match " + rule);
            }
        }
    }

    @Test
    void suggestionsKeepWhatWasMeant() {
        assertEquals("my_url", SchemaCheck.inAllowedForm("my-url", SchemaGenerator.VARIABLE, "input"));
        assertEquals("db_host_name", SchemaCheck.inAllowedForm("DB-Host.Name", SchemaGenerator.VARIABLE, "input"));
        assertEquals("input_1", SchemaCheck.inAllowedForm("42", SchemaGenerator.VARIABLE, "input"));
        assertEquals("load-db", SchemaCheck.inAllowedForm("Load DB", SchemaGenerator.STEP_ID, "step"));
        assertEquals("find_backup", SchemaCheck.inAllowedForm("find_backup!", SchemaGenerator.STEP_ID, "step"));
        assertEquals("bad_out", SchemaCheck.inAllowedForm("bad out", SchemaGenerator.OUTPUT_NAME, "output"));
        assertEquals("age-seconds", SchemaCheck.inAllowedForm("age-seconds ", SchemaGenerator.OUTPUT_NAME, "output"));
        assertEquals("Nightly-Restore", SchemaCheck.inAllowedForm("Nightly Restore", SchemaGenerator.RUNBOOK_NAME, "runbook"));
    }
}
