package com.mlreef.offline.stackfile;

/**
 * A file or folder of the project that a stack references by a relative path, which {@code export} carries and
 * {@code run} puts into the stack folder.
 *
 * @param path     relative to the stack file's folder, normalized lexically, with {@code /} between names; it may
 *                 lead above the folder ({@code ../conf}), and export then carries from the folder that holds both
 * @param use      what references it
 * @param where    the key that names it, for messages
 * @param required false for an env file given {@code required: false}, and for {@code .env}
 */
public record CarriedFile(String path, Use use, String where, boolean required) {
    public enum Use { BIND, ENV_FILE, DOTENV, SECRET, CONFIG }

    /** Whether it may hold passwords (env files, secrets), and is kept readable by its owner only in the bundle. */
    public boolean sensitive() {
        return use != Use.BIND && use != Use.CONFIG;
    }
}
