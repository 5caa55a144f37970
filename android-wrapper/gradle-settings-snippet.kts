// Paste into the app's settings.gradle.kts to build ConsentGate from source as module ":consentgate".
// NOT RUN HERE (no Gradle or Android SDK on this project's machines); written for AGP 8.7, Kotlin 2.1.
//
// Before the first build: scripts/build-android.sh (needs the Android NDK and cargo-ndk) puts
// libconsentgate.so for each ABI into android-wrapper/src/main/jniLibs.

pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
    plugins {
        // Use the versions the app already applies, if any.
        id("com.android.library") version "8.7.3"
        id("org.jetbrains.kotlin.android") version "2.1.21"
    }
}

dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}

include(":consentgate")
project(":consentgate").projectDir = file("../consentgate/android-wrapper") // where the repo is checked out

// Then, in the app module's build.gradle.kts:
//   dependencies { implementation(project(":consentgate")) }
// and ship the policy as src/main/assets/consentgate/policy.json.
