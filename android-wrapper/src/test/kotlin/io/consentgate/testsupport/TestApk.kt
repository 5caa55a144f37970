package io.consentgate.testsupport

import java.io.ByteArrayOutputStream
import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.zip.ZipEntry
import java.util.zip.ZipOutputStream
import javax.xml.stream.XMLInputFactory
import javax.xml.stream.XMLStreamConstants
import javax.xml.stream.XMLStreamReader

/**
 * Build-time helper (run by the pom in `process-test-classes`, not a test): turns the plain-text
 * test manifest into a minimal resource APK and writes Robolectric's build-system file
 * `com/android/tools/test_config.properties`.
 *
 * Why: Robolectric 4.14 (binary resources mode) takes the app's package name, components and
 * requested permissions only from a resource APK, which normally comes from aapt2 (Android SDK,
 * not on Maven Central). Without one, every test runs as package `org.robolectric.default` with
 * no declared components or permissions. This writes the binary XML (AXML) that aapt2 would, for
 * the subset of manifest syntax a test manifest needs:
 * - `android:` attributes are resolved to framework attribute ids through `android.R.attr`;
 * - values: `true`/`false`, decimal or `0x` integers, `@android:type/name` framework references,
 *   a few enum/flag attributes (see [ENUMS]), everything else is a literal string;
 * - no app resources (`@string/...`, `@style/...` of the app are rejected), `tools:` attributes are dropped.
 * Files under the assets folder (if it exists) are packed as `assets/...`, where AssetManager finds them.
 *
 * Arguments: manifest.xml assetsDir outputApk outputTestConfigProperties
 */
object TestApk {
    private const val ANDROID_NS = "http://schemas.android.com/apk/res/android"
    private const val TOOLS_NS = "http://schemas.android.com/tools"

    // Res_value data types
    private const val TYPE_REFERENCE = 0x01
    private const val TYPE_STRING = 0x03
    private const val TYPE_INT_DEC = 0x10
    private const val TYPE_INT_HEX = 0x11
    private const val TYPE_INT_BOOLEAN = 0x12

    /** Attributes that PackageParser reads as strings even when the text looks like a number. */
    private val STRING_ATTRS =
        setOf(
            "name",
            "label",
            "description",
            "versionName",
            "process",
            "taskAffinity",
            "permission",
            "readPermission",
            "writePermission",
            "authorities",
            "targetActivity",
            "parentActivityName",
            "sharedUserId",
            "scheme",
            "host",
            "port",
            "path",
            "pathPrefix",
            "pathPattern",
            "mimeType",
            "targetPackage",
            "permissionGroup",
            "backupAgent",
            "appComponentFactory",
            "requiredFeature",
        )

    /** Enum and flag attributes (values from the framework's attrs_manifest.xml). */
    private val ENUMS: Map<String, Map<String, Int>> =
        mapOf(
            "launchMode" to mapOf("standard" to 0, "singleTop" to 1, "singleTask" to 2, "singleInstance" to 3),
            "protectionLevel" to mapOf("normal" to 0, "dangerous" to 1, "signature" to 2),
            "screenOrientation" to
                mapOf(
                    "unspecified" to -1,
                    "landscape" to 0,
                    "portrait" to 1,
                    "user" to 2,
                    "behind" to 3,
                    "sensor" to 4,
                    "nosensor" to 5,
                    "fullSensor" to 10,
                    "locked" to 14,
                ),
            "configChanges" to
                mapOf(
                    "mcc" to 0x1,
                    "mnc" to 0x2,
                    "locale" to 0x4,
                    "touchscreen" to 0x8,
                    "keyboard" to 0x10,
                    "keyboardHidden" to 0x20,
                    "navigation" to 0x40,
                    "orientation" to 0x80,
                    "screenLayout" to 0x100,
                    "uiMode" to 0x200,
                    "screenSize" to 0x400,
                    "smallestScreenSize" to 0x800,
                    "density" to 0x1000,
                    "layoutDirection" to 0x2000,
                    "fontScale" to 0x40000000,
                ),
            "foregroundServiceType" to
                mapOf(
                    "dataSync" to 0x1,
                    "mediaPlayback" to 0x2,
                    "phoneCall" to 0x4,
                    "location" to 0x8,
                    "connectedDevice" to 0x10,
                    "mediaProjection" to 0x20,
                    "camera" to 0x40,
                    "microphone" to 0x80,
                ),
        )

    @JvmStatic
    fun main(args: Array<String>) {
        require(args.size == 4) { "usage: TestApk manifest.xml assetsDir out.apk out/test_config.properties" }
        val manifest = File(args[0]).absoluteFile
        val assets = File(args[1]).absoluteFile
        val apk = File(args[2]).absoluteFile
        val props = File(args[3]).absoluteFile

        val (axml, packageName) = compileManifest(manifest)
        apk.parentFile.mkdirs()
        ZipOutputStream(apk.outputStream()).use { zip ->
            zip.putNextEntry(ZipEntry("AndroidManifest.xml"))
            zip.write(axml)
            zip.closeEntry()
            if (assets.isDirectory) {
                assets.walkTopDown().filter { it.isFile }.sortedBy { it.path }.forEach { file ->
                    zip.putNextEntry(ZipEntry("assets/" + file.relativeTo(assets).invariantSeparatorsPath))
                    file.inputStream().use { it.copyTo(zip) }
                    zip.closeEntry()
                }
            }
        }
        props.parentFile.mkdirs()
        props.writeText(
            buildString {
                appendLine("# Written by io.consentgate.testsupport.TestApk during the Maven build; do not edit.")
                appendLine("android_merged_manifest=${manifest.path}")
                appendLine("android_resource_apk=${apk.path}")
                appendLine("android_custom_package=$packageName")
                if (assets.isDirectory) appendLine("android_merged_assets=${assets.path}")
            },
        )
    }

    private class Attr(
        val ns: String?,
        val name: String,
        val resId: Int,
        val raw: String?,
        val type: Int,
        val data: Int,
    )

    private sealed class Node(
        val line: Int,
    )

    private class StartNs(
        line: Int,
        val prefix: String,
        val uri: String,
    ) : Node(line)

    private class EndNs(
        line: Int,
        val prefix: String,
        val uri: String,
    ) : Node(line)

    private class Start(
        line: Int,
        val name: String,
        val attrs: List<Attr>,
    ) : Node(line)

    private class End(
        line: Int,
        val name: String,
    ) : Node(line)

    fun compileManifest(file: File): Pair<ByteArray, String> {
        val nodes = ArrayList<Node>()
        var packageName: String? = null
        val factory = XMLInputFactory.newInstance()
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true)
        file.inputStream().use { input ->
            val r: XMLStreamReader = factory.createXMLStreamReader(input)
            val nsStack = ArrayList<List<Pair<String, String>>>()
            while (r.hasNext()) {
                when (r.next()) {
                    XMLStreamConstants.START_ELEMENT -> {
                        val line = r.location.lineNumber
                        val declared =
                            (0 until r.namespaceCount)
                                .map { (r.getNamespacePrefix(it) ?: "") to r.getNamespaceURI(it) }
                                .filter { it.second != TOOLS_NS }
                        nsStack.add(declared)
                        declared.forEach { nodes.add(StartNs(line, it.first, it.second)) }
                        require(r.namespaceURI.isNullOrEmpty()) { "$file:$line: namespaced element ${r.name}" }
                        val attrs =
                            (0 until r.attributeCount).mapNotNull { i ->
                                val ns = r.getAttributeNamespace(i)?.takeIf { it.isNotEmpty() }
                                val name = r.getAttributeLocalName(i)
                                val value = r.getAttributeValue(i)
                                when (ns) {
                                    TOOLS_NS -> null
                                    null -> Attr(null, name, 0, value, TYPE_STRING, 0)
                                    ANDROID_NS -> androidAttr(file, line, name, value)
                                    else -> throw IllegalArgumentException("$file:$line: attribute namespace $ns")
                                }
                            }
                        if (r.localName == "manifest") packageName = r.getAttributeValue(null, "package")
                        nodes.add(Start(line, r.localName, attrs.sortedBy { it.resId.toUInt() }))
                    }
                    XMLStreamConstants.END_ELEMENT -> {
                        val line = r.location.lineNumber
                        nodes.add(End(line, r.localName))
                        nsStack.removeAt(nsStack.size - 1).reversed().forEach { nodes.add(EndNs(line, it.first, it.second)) }
                    }
                    XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA ->
                        require(r.isWhiteSpace) { "$file:${r.location.lineNumber}: text content is not supported" }
                    else -> Unit
                }
            }
            r.close()
        }
        return encode(nodes) to requireNotNull(packageName) { "$file: <manifest package=...> is required" }
    }

    private fun androidAttr(
        file: File,
        line: Int,
        name: String,
        value: String,
    ): Attr {
        val resId = frameworkId("attr", name) ?: throw IllegalArgumentException("$file:$line: unknown attribute android:$name")
        val enum = ENUMS[name]
        return when {
            value.startsWith("@") -> {
                val m =
                    Regex("@android:([a-z]+)/([A-Za-z0-9_.]+)").matchEntire(value)
                        ?: throw IllegalArgumentException(
                            "$file:$line: android:$name=\"$value\": only @android:type/name references are supported (no app resources)",
                        )
                val id =
                    frameworkId(m.groupValues[1], m.groupValues[2].replace('.', '_'))
                        ?: throw IllegalArgumentException("$file:$line: unknown framework resource $value")
                Attr(ANDROID_NS, name, resId, null, TYPE_REFERENCE, id)
            }
            enum != null && value.toIntOrNull() == null && !value.startsWith("0x") -> {
                val data =
                    value.split('|').fold(0) { acc, part ->
                        acc or
                            (
                                enum[part.trim()] ?: throw IllegalArgumentException(
                                    "$file:$line: android:$name=\"$part\" is not in TestApk.ENUMS",
                                )
                            )
                    }
                Attr(
                    ANDROID_NS,
                    name,
                    resId,
                    null,
                    if (name == "configChanges" ||
                        name == "foregroundServiceType"
                    ) {
                        TYPE_INT_HEX
                    } else {
                        TYPE_INT_DEC
                    },
                    data,
                )
            }
            name in STRING_ATTRS -> Attr(ANDROID_NS, name, resId, value, TYPE_STRING, 0)
            value == "true" || value == "false" -> Attr(ANDROID_NS, name, resId, null, TYPE_INT_BOOLEAN, if (value == "true") -1 else 0)
            value.startsWith("0x") && value.length > 2 ->
                Attr(ANDROID_NS, name, resId, null, TYPE_INT_HEX, value.substring(2).toLong(16).toInt())
            value.toIntOrNull() != null -> Attr(ANDROID_NS, name, resId, null, TYPE_INT_DEC, value.toInt())
            else -> Attr(ANDROID_NS, name, resId, value, TYPE_STRING, 0)
        }
    }

    /** A public framework resource id, read from the framework jar on the classpath. */
    private fun frameworkId(
        type: String,
        name: String,
    ): Int? =
        try {
            Class.forName("android.R\$$type").getField(name).getInt(null)
        } catch (e: ReflectiveOperationException) {
            null
        }

    // ---- AXML encoding (ResXMLTree), little endian ----

    private fun encode(nodes: List<Node>): ByteArray {
        // Attribute names that carry a resource id come first in the pool, in the order of the id map.
        val idNames =
            nodes
                .filterIsInstance<Start>()
                .flatMap { it.attrs }
                .filter { it.resId != 0 }
                .map { it.name to it.resId }
                .distinct()
                .sortedBy { it.second.toUInt() }
        val pool = ArrayList<String>()
        idNames.forEach { pool.add(it.first) }
        val idIndex = idNames.withIndex().associate { it.value to it.index }
        val other = HashMap<String, Int>()

        fun str(s: String): Int =
            other.getOrPut(s) {
                pool.add(s)
                pool.size - 1
            }

        fun attrName(a: Attr): Int = if (a.resId != 0) idIndex.getValue(a.name to a.resId) else str(a.name)

        val body = ByteArrayOutputStream()
        for (node in nodes) {
            val chunk =
                when (node) {
                    is StartNs -> nsChunk(0x0100, node.line, str(node.prefix), str(node.uri))
                    is EndNs -> nsChunk(0x0101, node.line, str(node.prefix), str(node.uri))
                    is End ->
                        buf(24)
                            .apply {
                                header(0x0103, 16, 24)
                                putInt(node.line)
                                putInt(-1)
                                putInt(-1)
                                putInt(str(node.name))
                            }.array()
                    is Start -> {
                        val size = 16 + 20 + 20 * node.attrs.size
                        val b = buf(size)
                        b.header(0x0102, 16, size)
                        b.putInt(node.line)
                        b.putInt(-1)
                        b.putInt(-1)
                        b.putInt(str(node.name))
                        b.putShort(20)
                        b.putShort(20)
                        b.putShort(node.attrs.size.toShort())
                        b.putShort(0)
                        b.putShort(0)
                        b.putShort(0)
                        for (a in node.attrs) {
                            b.putInt(if (a.ns != null) str(a.ns) else -1)
                            b.putInt(attrName(a))
                            val rawIndex = a.raw?.let { str(it) } ?: -1
                            b.putInt(rawIndex)
                            b.putShort(8)
                            b.put(0)
                            b.put(a.type.toByte())
                            b.putInt(if (a.type == TYPE_STRING) rawIndex else a.data)
                        }
                        b.array()
                    }
                }
            body.write(chunk)
        }

        val stringPool = stringPool(pool)
        val resMapSize = 8 + 4 * idNames.size
        val resMap =
            buf(resMapSize)
                .apply {
                    header(0x0180, 8, resMapSize)
                    idNames.forEach { putInt(it.second) }
                }.array()
        val total = 8 + stringPool.size + resMap.size + body.size()
        val out = ByteArrayOutputStream(total)
        out.write(buf(8).apply { header(0x0003, 8, total) }.array())
        out.write(stringPool)
        out.write(resMap)
        body.writeTo(out)
        return out.toByteArray()
    }

    private fun nsChunk(
        type: Int,
        line: Int,
        prefix: Int,
        uri: Int,
    ): ByteArray =
        buf(24)
            .apply {
                header(type, 16, 24)
                putInt(line)
                putInt(-1)
                putInt(prefix)
                putInt(uri)
            }.array()

    /** UTF-16 string pool, no styles. */
    private fun stringPool(strings: List<String>): ByteArray {
        val data = ByteArrayOutputStream()
        val offsets = IntArray(strings.size)
        strings.forEachIndexed { i, s ->
            offsets[i] = data.size()
            require(s.length < 0x8000) { "string too long for this encoder" }
            val b = buf(2 + 2 * s.length + 2)
            b.putShort(s.length.toShort())
            s.forEach { b.putChar(it) }
            b.putShort(0)
            data.write(b.array())
        }
        while (data.size() % 4 != 0) data.write(0)
        val headerSize = 28
        val stringsStart = headerSize + 4 * strings.size
        val size = stringsStart + data.size()
        val b = buf(size)
        b.header(0x0001, headerSize, size)
        b.putInt(strings.size)
        b.putInt(0)
        b.putInt(0)
        b.putInt(stringsStart)
        b.putInt(0)
        offsets.forEach { b.putInt(it) }
        b.put(data.toByteArray())
        return b.array()
    }

    private fun buf(size: Int): ByteBuffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN)

    private fun ByteBuffer.header(
        type: Int,
        headerSize: Int,
        size: Int,
    ) {
        putShort(type.toShort())
        putShort(headerSize.toShort())
        putInt(size)
    }
}
