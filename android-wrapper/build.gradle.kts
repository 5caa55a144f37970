// ConsentGate Android library module, for app teams (Gradle + Android Gradle plugin).
//
// NOT BUILT ON THIS PROJECT'S MACHINES: they have no Android SDK, Gradle or NDK. This file was
// written for AGP 8.7 / Kotlin 2.1 / Gradle 8.9+ and checked by reading only. What IS built and
// tested here is the same source with Maven (pom.xml, BUILDING-HOST.md): Kotlin against the real
// framework jar, Robolectric tests at API 23/29/33/34/35 over the real Rust core through JNI.
//
// Test rule for app teams (io.consentgate.testing.ConsentGateRule, src/testSupport/kotlin): the
// module's test fixtures, a separate artifact (Gradle capability <group>:<module>-test-fixtures),
// never in the library AAR; AGP also puts them on this module's own test and androidTest classpaths
// (src/androidTest uses the rule). Kotlin in Android test fixtures needs AGP 8.5+ and, in the root
// project's gradle.properties:
//     android.experimental.enableTestFixturesKotlinSupport=true
// App modules then depend on it with
//     testImplementation(testFixtures(project(":consentgate")))          // Robolectric tests
//     androidTestImplementation(testFixtures(project(":consentgate")))   // instrumented tests
// (or testFixtures("io.consentgate:consentgate-android:<version>") once published). It brings no
// JUnit or androidx.test of its own (compileOnly below): the app's test classpath has them.
//
// Native libraries: run scripts/build-android.sh first (cargo-ndk for arm64-v8a, armeabi-v7a,
// x86_64, x86 into src/main/jniLibs/<abi>/libconsentgate.so, picked up below).
// Include the module in the app's build with the snippet in gradle-settings-snippet.kts.

import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
    `maven-publish`
}

// One version for the AAR, the test fixtures and the Rust crate (Cargo.toml); what it promises:
// docs/compatibility.md. CHANGELOG.md lists what changed.
group = "io.consentgate"
version = "0.1.0"

android {
    namespace = "io.consentgate"
    compileSdk = 35

    defaultConfig {
        minSdk = 23
        // Keeps the native methods and the exceptions the core throws by name through the app's R8.
        consumerProguardFiles("consumer-rules.pro")
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
    }

    testFixtures {
        enable = true
    }

    sourceSets {
        getByName("main") {
            manifest.srcFile("src/main/AndroidManifest.xml")
            java.srcDirs("src/main/kotlin")
            jniLibs.srcDirs("src/main/jniLibs")
        }
        getByName("androidTest") {
            java.srcDirs("src/androidTest/kotlin")
        }
        getByName("testFixtures") {
            java.srcDirs("src/testSupport/kotlin")
        }
        // The host tests (src/test) run with Maven against the host-built .so and a test manifest
        // compiled by their own tool (BUILDING-HOST.md); they are not part of the Gradle build.
        getByName("test") {
            java.setSrcDirs(emptyList<String>())
            resources.setSrcDirs(emptyList<String>())
        }
    }

    buildTypes {
        release {
            // A library does not shrink itself; the app's R8 applies consumer-rules.pro.
            isMinifyEnabled = false
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    publishing {
        singleVariant("release") {
            withSourcesJar()
        }
    }

    packaging {
        jniLibs {
            // Let the app's build strip symbols; keep one copy of the library per ABI.
            useLegacyPackaging = false
        }
    }
}

kotlin {
    // Explicit API mode: every public declaration says `public` and its type, so nothing becomes
    // API by accident (the host build passes -Xexplicit-api=strict the same way, pom.xml).
    explicitApi()
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // The library itself: the Kotlin stdlib only (framework APIs, no AndroidX, no kotlinx).
    androidTestImplementation("junit:junit:4.13.2")
    androidTestImplementation("androidx.test:runner:1.6.2")
    androidTestImplementation("androidx.test:monitor:1.7.2")
    androidTestImplementation("androidx.test.uiautomator:uiautomator:2.3.0")

    // The test rule (test fixtures): JUnit's TestRule and InstrumentationRegistry, from the
    // consumer's own test classpath. The library itself comes with the fixtures (AGP).
    testFixturesCompileOnly("junit:junit:4.13.2")
    testFixturesCompileOnly("androidx.test:monitor:1.7.2")
}

// `./gradlew :consentgate:publishToMavenLocal` (or a repository the team adds) publishes
// io.consentgate:consentgate-android:<version> with its test fixtures (Gradle module metadata).
publishing {
    publications {
        register<MavenPublication>("release") {
            artifactId = "consentgate-android"
            afterEvaluate { from(components["release"]) }
            pom {
                name.set("ConsentGate Android")
                description.set("Consent-first Android runtime permissions: Kotlin SDK over the Rust core")
                licenses {
                    license {
                        name.set("Apache-2.0")
                        url.set("https://www.apache.org/licenses/LICENSE-2.0.txt")
                        distribution.set("repo")
                    }
                }
            }
        }
    }
}
