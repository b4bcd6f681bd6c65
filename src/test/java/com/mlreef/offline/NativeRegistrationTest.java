package com.mlreef.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The native executable sees the fields, methods and annotations of a class only when the class is registered for
 * reflection: Jackson then writes an unregistered enum by its name instead of its {@code @JsonValue}, and reads or
 * writes an unregistered record as nothing. Quarkus registers neither what an ObjectMapper reads nor the types of a
 * registered record's components, so each must say so itself.
 */
class NativeRegistrationTest {
    private static final String PACKAGE = "com.mlreef.offline";

    /**
     * Checked: types with Jackson annotations, records and enums inside a registered record, and records and enums
     * whose class the code hands over ({@code X.class}: a JSON target, as in {@code readValue(bytes, X.class)}).
     */
    @Test
    void theTypesJacksonReadsOrWritesAreRegisteredForReflection() throws Exception {
        List<Class<?>> classes = classes();
        assertTrue(classes.size() > 50, "the classes were found: " + classes.size());
        Set<String> missing = new TreeSet<>();
        Set<String> handedOver = handedOver();
        assertTrue(handedOver.contains("BundleManifest") && handedOver.contains("Manifest"), "found: " + handedOver);
        for (Class<?> c : classes) {
            String nested = c.getName().substring(c.getPackageName().length() + 1).replace('$', '.');
            boolean named = handedOver.stream().anyMatch(n -> nested.equals(n) || nested.endsWith("." + n));
            if (named && (c.isRecord() || c.isEnum()) && !c.isAnnotationPresent(RegisterForReflection.class)) {
                missing.add(c.getName() + " (handed over as a class)");
            }
        }
        for (Class<?> c : classes) {
            boolean registered = c.isAnnotationPresent(RegisterForReflection.class);
            if (!registered && usesJackson(c)) {
                missing.add(c.getName() + " (Jackson annotations)");
            }
            if (registered && c.isRecord()) {
                for (RecordComponent component : c.getRecordComponents()) {
                    List<Class<?>> types = new ArrayList<>();
                    typesOf(component.getGenericType(), types);
                    for (Class<?> t : types) {
                        if (t.getName().startsWith(PACKAGE) && (t.isRecord() || t.isEnum())
                                && !t.isAnnotationPresent(RegisterForReflection.class)) {
                            missing.add(t.getName() + " (in " + c.getSimpleName() + "." + component.getName() + ")");
                        }
                    }
                }
            }
        }
        assertEquals(Set.of(), missing);
    }

    private static boolean usesJackson(Class<?> c) {
        List<AnnotatedElement> elements = new ArrayList<>(List.of(c));
        elements.addAll(List.of(c.getDeclaredMethods()));
        elements.addAll(List.of(c.getDeclaredFields()));
        if (c.isRecord()) {
            elements.addAll(List.of(c.getRecordComponents()));
        }
        for (AnnotatedElement e : elements) {
            for (Annotation a : e.getDeclaredAnnotations()) {
                if (a.annotationType().getName().startsWith("com.fasterxml.jackson.")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void typesOf(Type type, List<Class<?>> into) {
        if (type instanceof Class<?> c) {
            into.add(c.isArray() ? c.getComponentType() : c);
        } else if (type instanceof ParameterizedType p) {
            typesOf(p.getRawType(), into);
            for (Type argument : p.getActualTypeArguments()) {
                typesOf(argument, into);
            }
        } else if (type instanceof GenericArrayType a) {
            typesOf(a.getGenericComponentType(), into);
        }
    }

    /** The names in {@code Name.class} of the main sources ({@code Outer.Inner} as written). */
    private static Set<String> handedOver() throws Exception {
        Set<String> names = new TreeSet<>();
        Pattern token = Pattern.compile("\\b([A-Z][A-Za-z0-9_]*(?:\\.[A-Z][A-Za-z0-9_]*)*)\\.class\\b");
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                Matcher m = token.matcher(text);
                while (m.find()) {
                    String before = text.substring(Math.max(0, m.start() - 16), m.start());
                    if (!before.matches("(?s).*(EnumMap<>\\(|EnumSet\\.\\w+\\()$")) { // enum constants: no reflection
                        names.add(m.group(1));
                    }
                }
            }
        }
        return names;
    }

    private static List<Class<?>> classes() throws Exception {
        Path root = Path.of("target/classes");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve(PACKAGE.replace('.', '/')))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                classes.add(Class.forName(name, false, NativeRegistrationTest.class.getClassLoader()));
            }
        }
        return classes;
    }
}
