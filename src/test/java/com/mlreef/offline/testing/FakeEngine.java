package com.mlreef.offline.testing;

import com.mlreef.offline.docker.DockerEngine;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A narrow stand-in for the engine in unit tests of planning and error paths: the calls {@code behaviour} has a
 * public method for (same name and parameters) go to it; a default method it lacks runs as the interface writes it
 * (on the calls it makes); any other call fails the test.
 */
public final class FakeEngine {
    private FakeEngine() {
    }

    public static DockerEngine of(Object behaviour) {
        return (DockerEngine) Proxy.newProxyInstance(DockerEngine.class.getClassLoader(),
                new Class<?>[] {DockerEngine.class}, (proxy, method, args) -> {
                    Method target;
                    try {
                        target = behaviour.getClass().getMethod(method.getName(), method.getParameterTypes());
                    } catch (NoSuchMethodException e) {
                        if (method.isDefault()) {
                            return InvocationHandler.invokeDefault(proxy, method, args);
                        }
                        throw new AssertionError("unexpected engine call: " + method.getName());
                    }
                    try {
                        target.setAccessible(true);
                        return target.invoke(behaviour, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
