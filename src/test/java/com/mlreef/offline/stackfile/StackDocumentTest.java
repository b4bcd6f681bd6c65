package com.mlreef.offline.stackfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackDocumentTest {
    private static final String STACK = "services:\n  web:\n    image: web:${TAG:-1}\n"
            + "    environment:\n      PIP_SERVER: ${PIP_SERVER}\n";

    @Test
    void oneDocumentResolvesToAStackForEachSetOfVariables() {
        StackDocument document = StackDocument.of(STACK, "stack.yaml", "test");
        List<String> warnings = new ArrayList<>();
        StackSpec first = document.resolve(Map.of("PIP_SERVER", "http://0.0.0.0:8080/simple"), warnings::add);
        StackSpec second = document.resolve(Map.of("PIP_SERVER", "http://172.18.0.1:8080/simple", "TAG", "2"),
                warnings::add);
        assertEquals("http://0.0.0.0:8080/simple", first.services().get("web").environment().get("PIP_SERVER"));
        assertEquals("web:1", first.services().get("web").image());
        assertEquals("http://172.18.0.1:8080/simple", second.services().get("web").environment().get("PIP_SERVER"));
        assertEquals("web:2", second.services().get("web").image());
        assertEquals("test", first.name());
        assertEquals(List.of(), warnings);
        assertEquals(STACK, document.text());
    }

    @Test
    void eachResolutionWarnsOfTheVariablesItLacks() {
        StackDocument document = StackDocument.of(STACK, "stack.yaml", "test");
        List<String> warnings = new ArrayList<>();
        document.resolve(Map.of(), warnings::add);
        assertEquals(List.of("stack.yaml: services.web.environment.PIP_SERVER: PIP_SERVER is not set; using an empty"
                + " value"), warnings);
        document.resolve(Map.of("PIP_SERVER", "http://h:1/simple"), warnings::add);
        assertEquals(1, warnings.size());
    }

    @Test
    void knowsTheVariablesItsValuesTake() {
        StackDocument document = StackDocument.of(STACK, "stack.yaml", "test");
        assertTrue(document.uses("PIP_SERVER"));
        assertTrue(document.uses("TAG"), "a variable with a default is taken too");
        assertFalse(document.uses("PIP"));
        assertEquals(Set.of("PIP_SERVER", "TAG"), document.variables());
    }

    @Test
    void aVariableInACommentAnExtensionOrAnEscapedDollarIsNotTaken() {
        StackDocument document = StackDocument.of("# set ${PIP_SERVER} with -s\nx-notes: $PIP_SERVER\n"
                + "services:\n  web:\n    image: web:1  # ${PIP_SERVER}\n    command: echo $${PIP_SERVER} $$HOME\n",
                "stack.yaml", "test");
        assertFalse(document.uses("PIP_SERVER"));
        assertFalse(document.uses("HOME"));
        assertEquals(Set.of(), document.variables());
    }

    @Test
    void variablesInDefaultsAndInMergedMappingsAreTaken() {
        StackDocument document = StackDocument.of("x-env: &env\n  A: $FIRST\n"
                + "services:\n  web:\n    image: web:1\n    environment:\n      <<: *env\n      B: ${X:-${SECOND}}\n",
                "stack.yaml", "test");
        assertEquals(Set.of("FIRST", "SECOND", "X"), document.variables());
    }

    @Test
    void aTextThatIsNoStackFileIsRefusedWhenRead() {
        assertEquals("stack.yaml is not a stack file: expected a mapping with 'services'", assertThrows(
                StackFileException.class, () -> StackDocument.of("- a\n", "stack.yaml", "test")).getMessage());
    }
}
