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

    @Test
    void everyTypeJacksonReadsOrWritesIsRegisteredForReflection() throws Exception {
        List<Class<?>> classes = classes();
        assertTrue(classes.size() > 50, "the classes were found: " + classes.size());
        Set<String> missing = new TreeSet<>();
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
