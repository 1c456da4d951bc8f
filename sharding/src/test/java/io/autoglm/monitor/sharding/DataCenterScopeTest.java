package io.autoglm.monitor.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.sharding.catalog.CatalogEntity;
import io.autoglm.monitor.sharding.ips.IpKey;
import io.autoglm.monitor.sharding.ips.SourceIpGroupEntity;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataCenterScopeTest {
  private static final DataCenterScope DC2 = new DataCenterScope("dc2");

  @Test
  void theDefaultDataCenterNamesEverythingAsBefore() {
    assertTrue(DataCenterScope.DEFAULT.isDefault());
    assertEquals(
        "EndpointStats|default/v1/chat",
        DataCenterScope.DEFAULT
            .persistenceId(EndpointStatsEntity.ENTITY_TYPE_KEY, "default/v1/chat")
            .id());
    assertEquals(
        "EndpointStats|default/v1/chat",
        EndpointStatsEntity.historyEntity(
            DataCenterScope.DEFAULT, EndpointKey.fromEntityId("default/v1/chat")));
    assertEquals(
        "SourceIpStats|default/10.0.0.1",
        SourceIpGroupEntity.historyEntity(
            DataCenterScope.DEFAULT, IpKey.fromEntityId("default/10.0.0.1")));
  }

  @Test
  void anotherDataCenterNamesItsOwnAfterItsName() {
    assertFalse(DC2.isDefault());
    assertEquals(
        "EndpointStats|dc2|default/v1/chat",
        DC2.persistenceId(EndpointStatsEntity.ENTITY_TYPE_KEY, "default/v1/chat").id());
    assertEquals(
        "Catalog|dc2|services", DC2.persistenceId(CatalogEntity.ENTITY_TYPE_KEY, "services").id());
    assertEquals(
        "EndpointStats|dc2|default/v1/chat",
        EndpointStatsEntity.historyEntity(DC2, EndpointKey.fromEntityId("default/v1/chat")));
    assertEquals(
        "SourceIpStats|dc2|default/10.0.0.1",
        SourceIpGroupEntity.historyEntity(DC2, IpKey.fromEntityId("default/10.0.0.1")));
  }

  @Test
  void theDataCenterIsPekkosAndANameWithASeparatorIsRefused() {
    assertEquals(DataCenterScope.DEFAULT, DataCenterScope.fromConfig(ConfigFactory.load()));
    assertEquals(
        DC2,
        DataCenterScope.fromConfig(
            ConfigFactory.parseMap(Map.of(DataCenterScope.SELF_DATA_CENTER, "dc2"))));
    assertThrows(IllegalArgumentException.class, () -> new DataCenterScope("dc|2"));
    assertThrows(IllegalArgumentException.class, () -> new DataCenterScope(""));
    assertThrows(
        IllegalArgumentException.class,
        () -> DC2.persistenceId(EndpointStatsEntity.ENTITY_TYPE_KEY, "dc3|default/v1/chat"));
  }
}
