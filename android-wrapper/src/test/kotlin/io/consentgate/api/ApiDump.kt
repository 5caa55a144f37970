package io.consentgate.api

import org.objectweb.asm.ClassReader
import org.objectweb.asm.ClassVisitor
import org.objectweb.asm.Opcodes
import java.io.File
import java.lang.reflect.Constructor
import java.lang.reflect.Field
import java.lang.reflect.Member
import java.lang.reflect.Method
import java.lang.reflect.Modifier
import java.lang.reflect.Type
import kotlin.metadata.KmClass
import kotlin.metadata.KmDeclarationContainer
import kotlin.metadata.Visibility
import kotlin.metadata.jvm.KotlinClassMetadata
import kotlin.metadata.jvm.fieldSignature
import kotlin.metadata.jvm.getterSignature
import kotlin.metadata.jvm.setterSignature
import kotlin.metadata.jvm.signature
import kotlin.metadata.visibility

/**
 * The public API of compiled classes as Java callers see it: every class a Java file can name,
 * with its public members (and protected ones where a subclass can reach them), in stable
 * order. Kotlin `internal` and `private` declarations compile to public bytecode in places;
 * the Kotlin metadata says which, and they are left out. Synthetic members (lambdas, `$default`
 * bridges, `@JvmSynthetic` functions) are not callable from Java and are left out too.
 */
internal object ApiDump {
    /** Dumps the classes under [classesDir] (class-file paths), keeping those [include] accepts. */
    fun render(
        classesDir: File,
        loader: ClassLoader,
        include: (ClassFile) -> Boolean = { true },
    ): String {
        val classes =
            classesDir
                .walk()
                .filter { it.isFile && it.name.endsWith(".class") }
                .map { ClassFile.read(classesDir, it) }
                .filter(include)
                .map { Class.forName(it.name, false, loader) }
                .filter { isVisible(it) }
                .sortedBy { it.name }
                .toList()
        return classes.joinToString("") { renderClass(it) }
    }

    /** One class file: its binary name and the source file it was compiled from. */
    class ClassFile(
        val name: String,
        val sourceFile: String?,
    ) {
        companion object {
            fun read(
                root: File,
                file: File,
            ): ClassFile {
                var source: String? = null
                ClassReader(file.readBytes()).accept(
                    object : ClassVisitor(Opcodes.ASM9) {
                        override fun visitSource(
                            s: String?,
                            debug: String?,
                        ) {
                            source = s
                        }
                    },
                    ClassReader.SKIP_CODE,
                )
                val name =
                    file
                        .relativeTo(root)
                        .path
                        .removeSuffix(".class")
                        .replace(File.separatorChar, '.')
                return ClassFile(name, source)
            }
        }
    }

    private fun isVisible(c: Class<*>): Boolean {
        if (c.isSynthetic || c.isAnonymousClass || c.isLocalClass) return false
        if (!Modifier.isPublic(c.modifiers) && !Modifier.isProtected(c.modifiers)) return false
        val km = kotlinClass(c)
        if (km != null && km.visibility != Visibility.PUBLIC && km.visibility != Visibility.PROTECTED) return false
        // A lambda or `when` mapping class Kotlin generates: metadata kind "synthetic class".
        if (c.getAnnotation(Metadata::class.java)?.kind == 3) return false
        val outer = c.declaringClass
        return outer == null || isVisible(outer)
    }

    private fun kotlinClass(c: Class<*>): KmClass? = (metadata(c) as? KotlinClassMetadata.Class)?.kmClass

    private fun metadata(c: Class<*>): KotlinClassMetadata? =
        c.getAnnotation(Metadata::class.java)?.let { KotlinClassMetadata.readLenient(it) }

    /** JVM signatures (name + descriptor) of Kotlin declarations that are not public API. */
    private fun hiddenSignatures(c: Class<*>): Set<String> {
        val hidden = HashSet<String>()
        val container: KmDeclarationContainer? =
            when (val m = metadata(c)) {
                is KotlinClassMetadata.Class -> m.kmClass
                is KotlinClassMetadata.FileFacade -> m.kmPackage
                is KotlinClassMetadata.MultiFileClassPart -> m.kmPackage
                else -> null
            }

        fun notApi(v: Visibility) = v != Visibility.PUBLIC && v != Visibility.PROTECTED
        container?.functions?.forEach { f -> if (notApi(f.visibility)) f.signature?.let { hidden += it.toString() } }
        container?.properties?.forEach { p ->
            if (notApi(p.visibility)) {
                listOfNotNull(p.getterSignature, p.setterSignature).forEach { hidden += it.toString() }
                p.fieldSignature?.let { hidden += it.toString() }
            } else if (p.setter != null && notApi(p.setter!!.visibility)) {
                p.setterSignature?.let { hidden += it.toString() }
            }
        }
        val km = kotlinClass(c)
        km?.constructors?.forEach { k -> if (notApi(k.visibility)) k.signature?.let { hidden += it.toString() } }
        // The static field holding a companion object that is itself not public.
        km?.companionObject?.let { name ->
            val companion = c.declaredClasses.firstOrNull { it.simpleName == name }
            if (companion != null && !isVisible(companion)) hidden += "$name:L${companion.name.replace('.', '/')};"
        }
        return hidden
    }

    private fun renderClass(c: Class<*>): String {
        val hidden = hiddenSignatures(c)
        // Protected members matter only where Java code can subclass.
        val subclassable = !Modifier.isFinal(c.modifiers) && !c.isEnum && c.declaredConstructors.any { isApi(it, hidden, true) }
        val members = ArrayList<String>()
        c.declaredConstructors.filter { isApi(it, hidden, subclassable) }.mapTo(members) { constructor(c, it) }
        c.declaredFields.filter { isApi(it, hidden, subclassable) }.mapTo(members) { field(c, it) }
        c.declaredMethods
            .filter { !it.isBridge && isApi(it, hidden, subclassable || c.isInterface) }
            .mapTo(members) { method(c, it) }
        members.sort()
        // A Kotlin file facade (top-level declarations) with nothing public is no API: Java can
        // name the class but not construct or call anything on it.
        if (members.isEmpty() && c.getAnnotation(Metadata::class.java)?.kind == 2) return ""
        return buildString {
            append(header(c)).append(" {\n")
            members.forEach { append("    ").append(it).append('\n') }
            append("}\n\n")
        }
    }

    private fun isApi(
        m: Member,
        hidden: Set<String>,
        protectedCounts: Boolean,
    ): Boolean {
        if (m.isSynthetic) return false
        val mod = m.modifiers
        if (!Modifier.isPublic(mod) && !(protectedCounts && Modifier.isProtected(mod))) return false
        return jvmSignature(m) !in hidden
    }

    private fun jvmSignature(m: Member): String =
        when (m) {
            is Method -> m.name + descriptor(m.parameterTypes, m.returnType)
            is Constructor<*> -> "<init>" + descriptor(m.parameterTypes, Void.TYPE)
            is Field -> m.name + ":" + descriptor(m.type)
            else -> m.name
        }

    private fun descriptor(
        params: Array<Class<*>>,
        ret: Class<*>,
    ): String = params.joinToString("", "(", ")") { descriptor(it) } + descriptor(ret)

    private fun descriptor(t: Class<*>): String =
        when {
            t.isArray -> t.name.replace('.', '/')
            t.isPrimitive ->
                when (t) {
                    Void.TYPE -> "V"
                    java.lang.Boolean.TYPE -> "Z"
                    java.lang.Byte.TYPE -> "B"
                    java.lang.Character.TYPE -> "C"
                    java.lang.Short.TYPE -> "S"
                    java.lang.Integer.TYPE -> "I"
                    java.lang.Long.TYPE -> "J"
                    java.lang.Float.TYPE -> "F"
                    else -> "D"
                }
            else -> "L" + t.name.replace('.', '/') + ";"
        }

    private fun header(c: Class<*>): String {
        val kind =
            when {
                c.isAnnotation -> "@interface"
                c.isInterface -> "interface"
                c.isEnum -> "enum"
                else -> "class"
            }
        var mods = c.modifiers and (Modifier.PUBLIC or Modifier.PROTECTED or Modifier.STATIC or Modifier.FINAL or Modifier.ABSTRACT)
        if (c.isInterface) mods = mods and Modifier.ABSTRACT.inv()
        if (c.isEnum) mods = mods and (Modifier.FINAL or Modifier.ABSTRACT).inv()
        val sb = StringBuilder()
        sb
            .append(Modifier.toString(mods))
            .append(' ')
            .append(kind)
            .append(' ')
            .append(c.name)
        if (c.typeParameters.isNotEmpty()) sb.append(c.typeParameters.joinToString(", ", "<", ">") { it.typeName })
        val superclass = c.genericSuperclass
        if (superclass != null && superclass != Any::class.java && !c.isEnum) sb.append(" extends ").append(superclass.typeName)
        val interfaces = c.genericInterfaces.filter { !c.isAnnotation || it != Annotation::class.java }
        if (interfaces.isNotEmpty()) {
            sb.append(if (c.isInterface) " extends " else " implements ")
            sb.append(interfaces.joinToString(", ") { it.typeName })
        }
        return sb.toString()
    }

    private fun constructor(
        c: Class<*>,
        k: Constructor<*>,
    ): String =
        Modifier.toString(k.modifiers) + " " + c.simpleName + params(k.genericParameterTypes, k.isVarArgs) +
            throwsClause(k.genericExceptionTypes)

    private fun field(
        c: Class<*>,
        f: Field,
    ): String =
        Modifier.toString(f.modifiers and Modifier.TRANSIENT.inv() and Modifier.VOLATILE.inv()) + " " + f.genericType.typeName + " " +
            f.name

    private fun method(
        c: Class<*>,
        m: Method,
    ): String {
        var mods = m.modifiers and (Modifier.PUBLIC or Modifier.PROTECTED or Modifier.STATIC or Modifier.FINAL or Modifier.ABSTRACT)
        if (c.isInterface) mods = mods and Modifier.ABSTRACT.inv()
        val typeParams =
            if (m.typeParameters.isEmpty()) {
                ""
            } else {
                m.typeParameters.joinToString(", ", "<", "> ") { tp ->
                    tp.typeName +
                        bounds(tp.bounds)
                }
            }
        val default = if (c.isInterface && m.isDefault) "default " else ""
        return Modifier.toString(mods) + " " + default + typeParams + m.genericReturnType.typeName + " " + m.name +
            params(m.genericParameterTypes, m.isVarArgs) + throwsClause(m.genericExceptionTypes)
    }

    private fun bounds(b: Array<Type>): String =
        if (b.size == 1 &&
            b[0] == Any::class.java
        ) {
            ""
        } else {
            b.joinToString(" & ", " extends ") { it.typeName }
        }

    private fun params(
        types: Array<Type>,
        varArgs: Boolean,
    ): String =
        types.indices.joinToString(", ", "(", ")") { i ->
            val name = types[i].typeName
            if (varArgs && i == types.lastIndex) name.removeSuffix("[]") + "..." else name
        }

    private fun throwsClause(types: Array<Type>): String = if (types.isEmpty()) "" else types.joinToString(", ", " throws ") { it.typeName }
}
