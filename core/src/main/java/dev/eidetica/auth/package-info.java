/**
 * Who may do what in a database: keys, their permissions and statuses as held in the database's
 * {@code _settings} store, and the rules an entry's signer must satisfy. The rules are pure
 * functions of the settings before and after an entry, so every replica reaches the same verdict.
 */
package dev.eidetica.auth;
