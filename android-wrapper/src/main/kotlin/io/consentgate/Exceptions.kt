package io.consentgate

/**
 * Base of every exception the SDK throws. Unchecked: each one means a programming error
 * (bad argument, undeclared purpose, use after close) or trouble the app must decide about
 * (storage, corruption). Catch this to handle them all.
 *
 * The native core throws these by class name through their `(String)` constructor;
 * `consumer-rules.pro` keeps both through R8.
 */
public open class ConsentGateException(
    message: String,
) : RuntimeException(message)

/**
 * The policy JSON is invalid. The message names every problem with its JSON path and line,
 * first line like `invalid policy: line 7: $.purposes[0].permissions[0]: unknown permission ...`.
 */
public class InvalidPolicyException(
    message: String,
) : ConsentGateException(message)

/**
 * A purpose id the policy does not declare, or a permission the purpose does not declare
 * (an over-scope request). A programming error: fix the policy or the call.
 */
public class UndeclaredPurposeException(
    message: String,
) : ConsentGateException(message)

/**
 * A malformed argument: a null or invalid string (e.g. an unpaired UTF-16 surrogate), a locale
 * that is not a language tag, an unknown permission name, a negative API level, a journal
 * folder that is not an absolute path, an unknown enum name.
 *
 * Extends [ConsentGateException] (not `IllegalArgumentException`) so that one `catch` covers
 * every SDK error.
 */
public class InvalidArgumentException(
    message: String,
) : ConsentGateException(message)

/**
 * The consent journal could not be read or written (including a write refused because the
 * journal is corrupt: [ConsentEngine.storageProblem] then says so). Nothing was recorded;
 * decisions fail closed until the storage works again.
 */
public class StorageException(
    message: String,
) : ConsentGateException(message)

/**
 * A corrupt consent journal file (bad line in the middle, broken hash chain) was met while
 * reading the full history, e.g. an archive during [ConsentEngine.exportProof]. The file is left
 * untouched; see [ConsentEngine.recoverFromCorruption].
 */
public class CorruptJournalException(
    message: String,
) : ConsentGateException(message)

/** The engine was closed; open a new one. */
public class EngineClosedException(
    message: String,
) : ConsentGateException(message) {
    public constructor() : this("the consent engine is closed")
}

/** A bug inside the SDK (including a caught panic in the native core). Decisions fail closed. */
public class InternalErrorException(
    message: String,
) : ConsentGateException(message)
